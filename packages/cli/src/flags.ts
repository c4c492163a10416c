import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.ts';

/**
 * Every command's flags through one door: node's strict parser, and an unknown or malformed flag
 * becomes a usage error (exit 2) followed by the command's usage, never a stack trace.
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
  usage: string,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

/** A numeric flag: absent stays undefined; anything but a positive (or, if allowed, zero) number is bad input. */
export function numberFlag(
  name: string,
  raw: string | undefined,
  allowZero = false,
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new UsageError(
      `--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got '${raw}'`,
    );
  }
  return value;
}
