import { parseK6Duration } from '@stackproof/load';
import { UsageError } from './usage-error.ts';

// Apart from flags.ts so that commands without durations do not load the k6 package.
/** A duration flag in k6's notation (90s, 2m, 1m30s), in seconds; zero only where allowed. */
export function durationFlag(
  name: string,
  raw: string | undefined,
  allowZero = false,
): number | undefined {
  if (raw === undefined) return undefined;
  let value: number;
  try {
    value = parseK6Duration(raw);
  } catch {
    throw new UsageError(`--${name} must be a duration such as 90s, 2m or 1m30s, got '${raw}'`);
  }
  if (value < 0 || (!allowZero && value === 0)) {
    throw new UsageError(`--${name} must be longer than 0, got '${raw}'`);
  }
  return value;
}
