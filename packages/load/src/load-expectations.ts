import {
  type Expectations,
  isPlainObject,
  type ParseResult,
  sectionReader,
} from '@stackproof/core';

/** The scenarios `stackproof load run` knows (scripts/<name>.ts). */
export type ScenarioName = 'scale-out' | 'steady' | 'spike';
export const SCENARIOS: readonly ScenarioName[] = ['scale-out', 'steady', 'spike'];

/** Per-phase latency budgets (p95, ms), by phase name. */
export type PhaseP95 = Readonly<Record<string, number>>;

export interface ScaleOutExpectations {
  readonly baseRate: number;
  readonly rate: number;
  readonly baselineSeconds: number;
  readonly rampSeconds: number;
  readonly sustainSeconds: number;
  readonly dropSeconds: number;
  readonly cooldownSeconds: number;
  readonly minPeakReplicas: number;
  readonly scaleOutSeconds: number;
  readonly readySeconds: number;
  readonly scaleInSeconds: number;
  readonly p95Ms: PhaseP95;
}

export interface SteadyExpectations {
  readonly rate: number;
  readonly durationSeconds: number;
  readonly p95Ms: number;
}

export interface SpikeExpectations {
  readonly baseRate: number;
  readonly spikeRate: number;
  readonly baselineSeconds: number;
  readonly surgeSeconds: number;
  readonly spikeSeconds: number;
  readonly recoverySeconds: number;
  readonly p95Ms: PhaseP95;
}

/** The `load` section of an expectations file, with every default filled in. */
export interface LoadExpectations {
  /** `namespace/name` of the HPA the scale-out contract is about. */
  readonly hpa: string;
  /** Path requested under load (CPU-bound on the reference backend, so CPU follows the rate). */
  readonly path: string;
  readonly healthPath: string;
  /** Share of requests allowed to fail in every phase; default 1 - availabilitySlo. */
  readonly errorBudget: number;
  readonly scaleOut: ScaleOutExpectations;
  readonly steady: SteadyExpectations;
  readonly spike: SpikeExpectations;
}

export const LOAD_DEFAULTS: Omit<LoadExpectations, 'errorBudget'> = {
  hpa: 'stackproof/stackproof-backend',
  path: '/api/work?iterations=100000',
  healthPath: '/healthz',
  scaleOut: {
    baseRate: 5,
    rate: 60,
    baselineSeconds: 20,
    rampSeconds: 30,
    sustainSeconds: 120,
    dropSeconds: 5,
    cooldownSeconds: 330,
    minPeakReplicas: 5,
    scaleOutSeconds: 120,
    readySeconds: 120,
    scaleInSeconds: 300,
    p95Ms: { baseline: 1000, ramp: 5000, sustain: 2000, drop: 2000, cooldown: 1000 },
  },
  steady: { rate: 10, durationSeconds: 60, p95Ms: 1000 },
  spike: {
    baseRate: 5,
    spikeRate: 80,
    baselineSeconds: 20,
    surgeSeconds: 3,
    spikeSeconds: 40,
    recoverySeconds: 60,
    p95Ms: { baseline: 1000, surge: 5000, spike: 5000, recovery: 1000 },
  },
};

type Obj = Record<string, unknown>;
const isObj = isPlainObject;

/**
 * Parses the expectations file's `load` section (`{ config, warnings, errors }`, every problem
 * at once). Missing keys take `LOAD_DEFAULTS`; the error budget defaults to 1 - availabilitySlo.
 */
export function parseLoadExpectations(
  section: unknown,
  common: Pick<Expectations, 'availabilitySlo'>,
): ParseResult<LoadExpectations> {
  const reader = sectionReader();
  const { warnings, errors, known } = reader;
  if (section !== undefined && !isObj(section)) {
    return { config: undefined, warnings, errors: ['load must be an object'] };
  }
  const input: Obj = section ?? {};

  const positive = (where: string, value: unknown, fallback: number, allowZero = false): number =>
    reader.number(where, value, fallback, { allowZero });
  const string = (
    where: string,
    value: unknown,
    fallback: string,
    pattern: RegExp,
    what: string,
  ): string => {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !pattern.test(value)) {
      errors.push(`${where} must be ${what}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  };
  const p95 = (where: string, value: unknown, fallback: PhaseP95): PhaseP95 => {
    if (value === undefined) return fallback;
    if (!isObj(value)) {
      errors.push(`${where} must map phase names to milliseconds, e.g. {"sustain": 2000}`);
      return fallback;
    }
    const out: Record<string, number> = { ...fallback };
    for (const [phase, ms] of Object.entries(value)) {
      if (!(phase in fallback))
        warnings.push(
          `${where}.${phase} is not a phase of this scenario (${Object.keys(fallback).join(', ')})`,
        );
      out[phase] = positive(`${where}.${phase}`, ms, fallback[phase] ?? 1000);
    }
    return out;
  };
  const sub = (name: string): Obj => {
    const value = input[name];
    if (value === undefined) return {};
    if (!isObj(value)) {
      errors.push(`load.${name} must be an object`);
      return {};
    }
    return value;
  };

  known('load.', input, [
    'hpa',
    'path',
    'healthPath',
    'errorBudget',
    'scaleOut',
    'steady',
    'spike',
  ]);
  const d = LOAD_DEFAULTS;
  const hpa = string(
    'load.hpa',
    input.hpa,
    d.hpa,
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/,
    'NAMESPACE/NAME of a HorizontalPodAutoscaler',
  );
  const path = string('load.path', input.path, d.path, /^\//, 'a path starting with /');
  const healthPath = string(
    'load.healthPath',
    input.healthPath,
    d.healthPath,
    /^\//,
    'a path starting with /',
  );
  let errorBudget = Math.round((1 - common.availabilitySlo) * 1e6) / 1e6;
  if (input.errorBudget !== undefined) {
    const e = input.errorBudget;
    if (typeof e !== 'number' || !(e >= 0 && e < 1))
      errors.push(
        `load.errorBudget must be a share of requests in [0, 1), got ${JSON.stringify(e)}`,
      );
    else errorBudget = e;
  }

  const so = sub('scaleOut');
  const soKeys = Object.keys(d.scaleOut);
  known('load.scaleOut.', so, soKeys);
  const scaleOut: ScaleOutExpectations = {
    baseRate: positive('load.scaleOut.baseRate', so.baseRate, d.scaleOut.baseRate),
    rate: positive('load.scaleOut.rate', so.rate, d.scaleOut.rate),
    baselineSeconds: positive(
      'load.scaleOut.baselineSeconds',
      so.baselineSeconds,
      d.scaleOut.baselineSeconds,
    ),
    rampSeconds: positive('load.scaleOut.rampSeconds', so.rampSeconds, d.scaleOut.rampSeconds),
    sustainSeconds: positive(
      'load.scaleOut.sustainSeconds',
      so.sustainSeconds,
      d.scaleOut.sustainSeconds,
    ),
    dropSeconds: positive('load.scaleOut.dropSeconds', so.dropSeconds, d.scaleOut.dropSeconds),
    cooldownSeconds: positive(
      'load.scaleOut.cooldownSeconds',
      so.cooldownSeconds,
      d.scaleOut.cooldownSeconds,
      true,
    ),
    minPeakReplicas: positive(
      'load.scaleOut.minPeakReplicas',
      so.minPeakReplicas,
      d.scaleOut.minPeakReplicas,
    ),
    scaleOutSeconds: positive(
      'load.scaleOut.scaleOutSeconds',
      so.scaleOutSeconds,
      d.scaleOut.scaleOutSeconds,
    ),
    readySeconds: positive('load.scaleOut.readySeconds', so.readySeconds, d.scaleOut.readySeconds),
    scaleInSeconds: positive(
      'load.scaleOut.scaleInSeconds',
      so.scaleInSeconds,
      d.scaleOut.scaleInSeconds,
    ),
    p95Ms: p95('load.scaleOut.p95Ms', so.p95Ms, d.scaleOut.p95Ms),
  };
  if (scaleOut.rate <= scaleOut.baseRate)
    errors.push(
      `load.scaleOut.rate (${scaleOut.rate}) must exceed baseRate (${scaleOut.baseRate})`,
    );
  if (scaleOut.cooldownSeconds > 0 && scaleOut.cooldownSeconds < scaleOut.scaleInSeconds) {
    warnings.push(
      `load.scaleOut.cooldownSeconds (${scaleOut.cooldownSeconds}) is shorter than scaleInSeconds (${scaleOut.scaleInSeconds}): a slow scale-in is reported as unknown, not failed`,
    );
  }

  const st = sub('steady');
  known('load.steady.', st, Object.keys(d.steady));
  const steady: SteadyExpectations = {
    rate: positive('load.steady.rate', st.rate, d.steady.rate),
    durationSeconds: positive(
      'load.steady.durationSeconds',
      st.durationSeconds,
      d.steady.durationSeconds,
    ),
    p95Ms: positive('load.steady.p95Ms', st.p95Ms, d.steady.p95Ms),
  };

  const sp = sub('spike');
  known('load.spike.', sp, Object.keys(d.spike));
  const spike: SpikeExpectations = {
    baseRate: positive('load.spike.baseRate', sp.baseRate, d.spike.baseRate),
    spikeRate: positive('load.spike.spikeRate', sp.spikeRate, d.spike.spikeRate),
    baselineSeconds: positive(
      'load.spike.baselineSeconds',
      sp.baselineSeconds,
      d.spike.baselineSeconds,
    ),
    surgeSeconds: positive('load.spike.surgeSeconds', sp.surgeSeconds, d.spike.surgeSeconds),
    spikeSeconds: positive('load.spike.spikeSeconds', sp.spikeSeconds, d.spike.spikeSeconds),
    recoverySeconds: positive(
      'load.spike.recoverySeconds',
      sp.recoverySeconds,
      d.spike.recoverySeconds,
    ),
    p95Ms: p95('load.spike.p95Ms', sp.p95Ms, d.spike.p95Ms),
  };

  if (errors.length > 0) return { config: undefined, warnings, errors };
  return {
    config: { hpa, path, healthPath, errorBudget, scaleOut, steady, spike },
    warnings,
    errors,
  };
}
