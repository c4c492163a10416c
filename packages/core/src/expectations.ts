import { readFile } from 'node:fs/promises';
import { StackproofError } from './errors.ts';

/**
 * What a stack is expected to hold, from one small JSON file the user writes next to their
 * `terraform output -json` documents. The common part is parsed here; each proof owns its own
 * section (`live`, `load`, `chaos`, `gameday`) and parses it with the same
 * `{ config, warnings, errors }` contract, so the CLI shows every problem at once.
 */
export interface Expectations {
  /** AWS region of the stack. */
  readonly region: string;
  /** Availability zones every tier must span. */
  readonly azCount: number;
  /** Kubernetes namespaces whose workloads are checked. */
  readonly namespaces: readonly string[];
  /** Minimum share of successful requests during load and chaos (0..1). */
  readonly availabilitySlo: number;
  /** Each proof's own section, unparsed (its package validates it). */
  readonly sections: Readonly<Partial<Record<ExpectationsSection, unknown>>>;
}

export type ExpectationsSection = 'live' | 'load' | 'chaos' | 'gameday';

export const EXPECTATIONS_SECTIONS: readonly ExpectationsSection[] = [
  'live',
  'load',
  'chaos',
  'gameday',
];

export interface ParseResult<T> {
  readonly config: T | undefined;
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

const DEFAULTS = { azCount: 3, availabilitySlo: 0.99 } as const;
const KNOWN_KEYS = new Set<string>([
  '$schema',
  'region',
  'azCount',
  'namespaces',
  'availabilitySlo',
  ...EXPECTATIONS_SECTIONS,
]);

export function parseExpectations(raw: unknown): ParseResult<Expectations> {
  const warnings: string[] = [];
  const errors: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { config: undefined, warnings, errors: ['expectations must be an object'] };
  }
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) warnings.push(`unknown key '${key}' is ignored (typo?)`);
  }

  const region = input.region;
  if (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    errors.push(`region must be an AWS region such as me-central-1, got ${JSON.stringify(region)}`);
  }
  let azCount: number = DEFAULTS.azCount;
  if (input.azCount === undefined) {
    warnings.push(`azCount not set; using ${DEFAULTS.azCount}`);
  } else if (!Number.isInteger(input.azCount) || (input.azCount as number) < 1) {
    errors.push(`azCount must be a positive integer, got ${JSON.stringify(input.azCount)}`);
  } else {
    azCount = input.azCount as number;
    if (azCount < 2) warnings.push('azCount below 2 cannot prove high availability');
  }
  const namespaces = input.namespaces;
  if (
    !Array.isArray(namespaces) ||
    namespaces.length === 0 ||
    !namespaces.every((n) => typeof n === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n))
  ) {
    errors.push('namespaces must be a non-empty list of Kubernetes namespace names');
  }
  let availabilitySlo: number = DEFAULTS.availabilitySlo;
  if (input.availabilitySlo !== undefined) {
    const slo = input.availabilitySlo;
    if (typeof slo !== 'number' || !(slo > 0 && slo <= 1)) {
      errors.push(`availabilitySlo must be a number in (0, 1], got ${JSON.stringify(slo)}`);
    } else {
      availabilitySlo = slo;
    }
  }
  const sections: Partial<Record<ExpectationsSection, unknown>> = {};
  for (const section of EXPECTATIONS_SECTIONS) {
    const value = input[section];
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push(`${section} must be an object`);
    } else {
      sections[section] = value;
    }
  }
  if (errors.length > 0) return { config: undefined, warnings, errors };
  return {
    config: {
      region: region as string,
      azCount,
      namespaces: namespaces as string[],
      availabilitySlo,
      sections,
    },
    warnings,
    errors,
  };
}

/** The expectations file is unreadable or does not hold valid expectations. */
export class ExpectationsError extends StackproofError {
  readonly file: string;
  readonly problems: readonly string[];

  constructor(file: string, problems: readonly string[]) {
    super(
      'EXPECTATIONS_INVALID',
      'bad-input',
      `${file}: ${problems.length === 1 ? problems[0] : `${problems.length} problems: ${problems.join('; ')}`}`,
    );
    this.file = file;
    this.problems = problems;
  }
}

/**
 * Reads and parses an expectations file (JSON). Throws `ExpectationsError` naming every problem;
 * returns the warnings beside the config.
 */
export async function readExpectationsFile(
  file: string,
): Promise<{ readonly config: Expectations; readonly warnings: readonly string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ExpectationsError(file, [
      code === 'ENOENT'
        ? 'no such file; pass --expectations with an existing file'
        : `cannot read it (${code})`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ExpectationsError(file, [`not JSON (${(error as Error).message})`]);
  }
  const { config, warnings, errors } = parseExpectations(raw);
  if (config === undefined) throw new ExpectationsError(file, errors);
  return { config, warnings };
}
