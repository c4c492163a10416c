import {
  type Expectations,
  isPlainObject,
  type ParseResult,
  sectionReader,
} from '@stackproof/core';

/** Who may be disturbed: nothing is injected unless the account and the kube context are listed. */
export interface ChaosAllowList {
  /** AWS account ids (STS GetCallerIdentity must answer one of them). */
  readonly accounts: readonly string[];
  /** Kubernetes contexts (the kubeconfig's current context, or --context, must be one of them). */
  readonly contexts: readonly string[];
}

/** The steady-state probe: k6's `steady` scenario against the stack's entry point. */
export interface ChaosSteadyLoad {
  /** On the sandbox: the Service whose loopback route gets the load (`frontend`). */
  readonly service: string;
  /** Elsewhere: the URL of the entry point (empty: `--steady-url` must give it). */
  readonly url: string;
  /** Path requested (default `/api/items`: frontend → backend → database, what users do). */
  readonly path: string;
  readonly rate: number;
  readonly p95Ms: number;
}

/** The `chaos` section of an expectations file, every default filled in. */
export interface ChaosExpectations {
  readonly allow: ChaosAllowList;
  readonly steady: ChaosSteadyLoad;
  /** Steady load before the first injection (the steady state the fault is compared with). */
  readonly baselineSeconds: number;
  /** How long the faults stay in effect before the rollback (the fault window). */
  readonly faultSeconds: number;
  /** Steady load after the rollback, before the residue check and the checks after. */
  readonly settleSeconds: number;
  /**
   * Share of the fault window's requests that may fail. The run aborts (rolls back at once) as
   * soon as more have failed than the whole window was allowed: the budget is spent.
   */
  readonly errorBudget: number;
  /** Bound: the failed zone's (node's, pods') endpoints leave the EndpointSlices within it. */
  readonly detectSeconds: number;
  /** Bound: ready endpoints back at their count before the fault and errors back under budget. */
  readonly recoverSeconds: number;
  /** Bound: first failed SQL probe query to the first successful one after it. */
  readonly rdsDowntimeSeconds: number;
}

export const CHAOS_DEFAULTS: Omit<ChaosExpectations, 'errorBudget'> = {
  allow: { accounts: [], contexts: [] },
  steady: { service: 'frontend', url: '', path: '/api/items', rate: 10, p95Ms: 2000 },
  baselineSeconds: 15,
  faultSeconds: 480,
  settleSeconds: 30,
  detectSeconds: 90,
  recoverSeconds: 420,
  rdsDowntimeSeconds: 120,
};

type Obj = Record<string, unknown>;
const isObj = isPlainObject;

/**
 * Parses the expectations file's `chaos` section (`{ config, warnings, errors }`, every problem at
 * once). Missing keys take `CHAOS_DEFAULTS` (EKS's timings); the error budget defaults to
 * 1 - availabilitySlo. The allow-list has no default: without one nothing is injected.
 */
export function parseChaosExpectations(
  section: unknown,
  common: Pick<Expectations, 'availabilitySlo'>,
): ParseResult<ChaosExpectations> {
  const reader = sectionReader();
  const { warnings, errors, known } = reader;
  if (section !== undefined && !isObj(section)) {
    return { config: undefined, warnings, errors: ['chaos must be an object'] };
  }
  const input: Obj = section ?? {};
  known('chaos.', input, [
    'allow',
    'steady',
    'baselineSeconds',
    'faultSeconds',
    'settleSeconds',
    'errorBudget',
    'detectSeconds',
    'recoverSeconds',
    'rdsDowntimeSeconds',
  ]);
  const seconds = (key: keyof ChaosExpectations, allowZero = false): number =>
    reader.number(
      `chaos.${key}`,
      input[key],
      CHAOS_DEFAULTS[key as keyof typeof CHAOS_DEFAULTS] as number,
      { allowZero, unit: 'seconds' },
    );
  const strings = (where: string, value: unknown, pattern: RegExp, what: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && pattern.test(v))) {
      errors.push(`${where} must be a list of ${what}, got ${JSON.stringify(value)}`);
      return [];
    }
    return value as string[];
  };

  let allow: ChaosAllowList = CHAOS_DEFAULTS.allow;
  if (input.allow !== undefined) {
    if (!isObj(input.allow)) {
      errors.push('chaos.allow must be an object with accounts and contexts');
    } else {
      known('chaos.allow.', input.allow, ['accounts', 'contexts']);
      allow = {
        accounts: strings(
          'chaos.allow.accounts',
          input.allow.accounts,
          /^\d{12}$/,
          '12-digit AWS account ids',
        ),
        contexts: strings(
          'chaos.allow.contexts',
          input.allow.contexts,
          /^\S+$/,
          'kube context names',
        ),
      };
    }
  }

  let steady: ChaosSteadyLoad = CHAOS_DEFAULTS.steady;
  if (input.steady !== undefined) {
    if (!isObj(input.steady)) {
      errors.push('chaos.steady must be an object');
    } else {
      const s = input.steady;
      known('chaos.steady.', s, ['service', 'url', 'path', 'rate', 'p95Ms']);
      const text = (
        key: 'service' | 'url' | 'path',
        test: (v: string) => boolean,
        what: string,
      ) => {
        const value = s[key];
        if (value === undefined) return CHAOS_DEFAULTS.steady[key];
        if (typeof value !== 'string' || !test(value)) {
          errors.push(`chaos.steady.${key} must be ${what}, got ${JSON.stringify(value)}`);
          return CHAOS_DEFAULTS.steady[key];
        }
        return value;
      };
      const positive = (key: 'rate' | 'p95Ms') =>
        reader.number(`chaos.steady.${key}`, s[key], CHAOS_DEFAULTS.steady[key]);
      steady = {
        service: text(
          'service',
          (v) => /^[a-z][-a-z0-9]*$/.test(v),
          'a service name such as frontend',
        ),
        url: text('url', (v) => v === '' || /^https?:\/\//.test(v), 'an http(s) URL'),
        path: text('path', (v) => v.startsWith('/'), 'a path starting with /'),
        rate: positive('rate'),
        p95Ms: positive('p95Ms'),
      };
    }
  }

  let errorBudget = Math.round((1 - common.availabilitySlo) * 1e6) / 1e6;
  if (input.errorBudget !== undefined) {
    const value = input.errorBudget;
    if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
      errors.push(
        `chaos.errorBudget must be a share of requests in [0, 1), got ${JSON.stringify(value)}`,
      );
    } else {
      errorBudget = value;
    }
  }
  const config: ChaosExpectations = {
    allow,
    steady,
    baselineSeconds: seconds('baselineSeconds', true),
    faultSeconds: seconds('faultSeconds'),
    settleSeconds: seconds('settleSeconds', true),
    errorBudget,
    detectSeconds: seconds('detectSeconds'),
    recoverSeconds: seconds('recoverSeconds'),
    rdsDowntimeSeconds: seconds('rdsDowntimeSeconds'),
  };
  if (config.recoverSeconds > config.faultSeconds) {
    warnings.push(
      `chaos.recoverSeconds (${config.recoverSeconds}) is longer than chaos.faultSeconds (${config.faultSeconds}): a recovery after the rollback is not measured`,
    );
  }
  return errors.length > 0 ? { config: undefined, warnings, errors } : { config, warnings, errors };
}
