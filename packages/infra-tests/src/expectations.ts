/**
 * What the live suite expects of a stack, from a small config file the user writes next to their
 * `terraform output -json` files. Parsed into { config, warnings, errors } rather than thrown from
 * deep inside, so the CLI can show every problem at once.
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
}

export interface ParseResult<T> {
  readonly config: T | undefined;
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

const DEFAULTS = { azCount: 3, availabilitySlo: 0.99 } as const;
const KNOWN_KEYS = new Set(['region', 'azCount', 'namespaces', 'availabilitySlo']);

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
  if (errors.length > 0) return { config: undefined, warnings, errors };
  return {
    config: {
      region: region as string,
      azCount,
      namespaces: namespaces as string[],
      availabilitySlo,
    },
    warnings,
    errors,
  };
}
