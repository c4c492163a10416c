import { isPlainObject, type ParseResult } from '@stackproof/core';
import type { LoadRunOverrides } from '@stackproof/load';

/**
 * The `gameday` section of an expectations file: how this environment's game day is shortened or
 * lengthened over the `load` and `chaos` sections it reuses. Every key is optional.
 */
export interface GameDayExpectations {
  /** The zone that loses power (default: the zone of the database primary, else the first). */
  readonly zone?: string;
  /** Over `load.scaleOut` for the scale-out stage. */
  readonly scaleOut: Pick<
    LoadRunOverrides,
    | 'baselineSeconds'
    | 'rampSeconds'
    | 'durationSeconds'
    | 'cooldownSeconds'
    | 'scaleInSeconds'
    | 'scaleOutSeconds'
    | 'readySeconds'
    | 'rate'
    | 'errorBudget'
  >;
  /** Over the `chaos` section for the outage stage. */
  readonly outage: {
    readonly faultSeconds?: number;
    readonly baselineSeconds?: number;
    readonly settleSeconds?: number;
  };
}

const SCALE_OUT_KEYS: Readonly<Record<string, keyof GameDayExpectations['scaleOut']>> = {
  baselineSeconds: 'baselineSeconds',
  rampSeconds: 'rampSeconds',
  sustainSeconds: 'durationSeconds',
  cooldownSeconds: 'cooldownSeconds',
  scaleInSeconds: 'scaleInSeconds',
  scaleOutSeconds: 'scaleOutSeconds',
  readySeconds: 'readySeconds',
  rate: 'rate',
  errorBudget: 'errorBudget',
};
const OUTAGE_KEYS = ['faultSeconds', 'baselineSeconds', 'settleSeconds'] as const;

/** Parses `sections.gameday` (absent: every default). Errors name the key; unknown keys warn. */
export function parseGameDayExpectations(raw: unknown): ParseResult<GameDayExpectations> {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (raw === undefined) return { config: { scaleOut: {}, outage: {} }, errors, warnings };
  if (!isPlainObject(raw))
    return { config: undefined, errors: ['gameday must be an object'], warnings };
  const seconds = (path: string, value: unknown, allowZero: boolean): number | undefined => {
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < 0 ||
      (!allowZero && value === 0)
    ) {
      errors.push(`${path} must be a ${allowZero ? 'non-negative' : 'positive'} number of seconds`);
      return undefined;
    }
    return value;
  };
  let zone: string | undefined;
  const scaleOut: Record<string, number> = {};
  const outage: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'zone') {
      if (typeof value !== 'string' || !/^[a-z]{2}-[a-z]+-\d[a-z]$/.test(value)) {
        errors.push(`gameday.zone must be an availability zone name such as me-central-1a`);
      } else zone = value;
    } else if (key === 'scaleOut' || key === 'outage') {
      if (!isPlainObject(value)) {
        errors.push(`gameday.${key} must be an object`);
        continue;
      }
      for (const [k, v] of Object.entries(value)) {
        if (key === 'scaleOut') {
          const target = SCALE_OUT_KEYS[k];
          if (target === undefined) {
            warnings.push(
              `unknown key gameday.scaleOut.${k} (known: ${Object.keys(SCALE_OUT_KEYS).join(', ')})`,
            );
            continue;
          }
          if (k === 'errorBudget') {
            if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
              errors.push('gameday.scaleOut.errorBudget must be a share of requests in [0, 1)');
            } else scaleOut[target] = v;
            continue;
          }
          const n = seconds(`gameday.scaleOut.${k}`, v, k === 'baselineSeconds');
          if (n !== undefined) scaleOut[target] = n;
        } else {
          if (!(OUTAGE_KEYS as readonly string[]).includes(k)) {
            warnings.push(`unknown key gameday.outage.${k} (known: ${OUTAGE_KEYS.join(', ')})`);
            continue;
          }
          const n = seconds(`gameday.outage.${k}`, v, k !== 'faultSeconds');
          if (n !== undefined) outage[k] = n;
        }
      }
    } else {
      warnings.push(`unknown key gameday.${key} (known: zone, scaleOut, outage)`);
    }
  }
  if (errors.length > 0) return { config: undefined, errors, warnings };
  return {
    config: { ...(zone === undefined ? {} : { zone }), scaleOut, outage },
    errors,
    warnings,
  };
}
