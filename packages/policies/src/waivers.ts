import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { WaiverFileError } from './errors.ts';

/** An accepted exception: findings of `rule` on addresses matching `address` are waived. */
export interface Waiver {
  readonly rule: string;
  /** Glob over the full address: `*` any run of characters, `?` one; all else literal. */
  readonly address: string;
  readonly reason: string;
  readonly owner: string;
  /** Last day (UTC, inclusive) the waiver applies, YYYY-MM-DD. */
  readonly expires: string;
}

export const WAIVERS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['waivers'],
  properties: {
    waivers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'address', 'reason', 'owner', 'expires'],
        properties: {
          rule: { type: 'string', pattern: '^[a-z0-9]+(?:[.-][a-z0-9]+)+$' },
          address: { type: 'string', minLength: 1 },
          reason: { type: 'string', minLength: 10 },
          owner: { type: 'string', minLength: 1 },
          expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        },
      },
    },
  },
} as const;

type Validator = ReturnType<Ajv['compile']>;
let validator: Validator | undefined;
/** Compiled on first use: most runs have no waivers file, and compiling costs startup time. */
function validate(): Validator {
  validator ??= new Ajv({ allErrors: true }).compile(WAIVERS_SCHEMA);
  return validator;
}

function isRealDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** Parses waiver YAML text; every problem is listed at once. */
export function parseWaivers(text: string, file: string): Waiver[] {
  let raw: unknown;
  try {
    // The core schema keeps 2027-01-31 a string instead of turning it into a Date.
    raw = parse(text, { schema: 'core' });
  } catch (error) {
    throw new WaiverFileError(file, [`not valid YAML: ${(error as Error).message}`]);
  }
  const check = validate();
  if (!check(raw)) {
    const problems = (check.errors ?? []).map((e) => {
      const where =
        e.instancePath === '' ? 'the file' : e.instancePath.slice(1).replaceAll('/', '.');
      return `${where} ${e.message ?? 'is invalid'}`;
    });
    throw new WaiverFileError(file, problems);
  }
  const waivers = (raw as { waivers: Waiver[] }).waivers;
  const badDates = waivers
    .map((w, i) =>
      isRealDate(w.expires) ? undefined : `waivers.${i}.expires ${w.expires} is not a date`,
    )
    .filter((p): p is string => p !== undefined);
  if (badDates.length > 0) throw new WaiverFileError(file, badDates);
  return waivers;
}

export async function readWaivers(file: string): Promise<Waiver[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new WaiverFileError(file, [`cannot read: ${(error as Error).message}`]);
  }
  return parseWaivers(text, file);
}

export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** Today's date (UTC) as YYYY-MM-DD. */
export function isoDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export function isExpired(waiver: Waiver, now: Date): boolean {
  return waiver.expires < isoDate(now);
}

export interface WaiverMatcher {
  /** The first active waiver covering this finding, if any. */
  match(rule: string, address: string): Waiver | undefined;
  /** Active waivers that matched no finding. */
  unmatched(): Waiver[];
  /** Expired waivers that would have matched a finding (they waive nothing). */
  expired(): Waiver[];
}

export function waiverMatcher(waivers: readonly Waiver[], now: Date): WaiverMatcher {
  const compiled = waivers.map((w) => ({
    waiver: w,
    pattern: globToRegExp(w.address),
    used: false,
  }));
  return {
    match(rule, address) {
      let result: Waiver | undefined;
      for (const entry of compiled) {
        if (entry.waiver.rule !== rule || !entry.pattern.test(address)) continue;
        entry.used = true;
        if (result === undefined && !isExpired(entry.waiver, now)) result = entry.waiver;
      }
      return result;
    },
    unmatched: () =>
      compiled.filter((e) => !e.used && !isExpired(e.waiver, now)).map((e) => e.waiver),
    expired: () => compiled.filter((e) => isExpired(e.waiver, now)).map((e) => e.waiver),
  };
}
