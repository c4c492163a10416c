// Load profiles shared by the scripts: one place decides what each phase of a scenario is. Every
// phase is its own k6 scenario tagged `phase:<name>`, so every request it sends carries the tag and
// thresholds are set per phase (`http_req_duration{phase:sustain}`): a slow baseline cannot hide
// behind a fast sustain. Phases follow each other through `startTime`.
import type { Options, Scenario } from 'k6/options';

/** Reads a positive number from __ENV, or the default; a typo must not silently become NaN. */
export function envNumber(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name}=${raw} is not a positive number`);
  }
  return value;
}

/** Reads a duration in seconds from __ENV: `90`, `90s`, `2m`, `1m30s`. 0 is allowed (phase off). */
export function envSeconds(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?$/.exec(raw.trim());
  if (match === null || raw.trim() === '') {
    throw new Error(`${name}=${raw} is not a duration such as 90s, 2m or 1m30s`);
  }
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** One phase of a scenario: its arrival rate goes from `fromRate` to `toRate` over its duration. */
export interface Phase {
  readonly name: string;
  readonly seconds: number;
  readonly fromRate: number;
  readonly toRate: number;
  /** Latency budget of the phase's 95th percentile, in ms. */
  readonly p95Ms: number;
}

/** Enough VUs for `rate` requests per second that take up to `latencySeconds` each; bounded. */
function vusFor(rate: number, latencySeconds: number): { preAllocatedVUs: number; maxVUs: number } {
  const cap = envNumber('MAX_VUS', 400);
  const pre = Math.min(cap, Math.max(2, Math.ceil(rate * latencySeconds)));
  return { preAllocatedVUs: pre, maxVUs: Math.min(cap, Math.max(pre, Math.ceil(rate * 4) + 10)) };
}

/**
 * The k6 scenario of one phase starting `startSeconds` after the test start: a constant arrival
 * rate, or a linear ramp between two rates. Bounded in time (its duration) and so in count.
 */
export function phaseScenario(phase: Phase, startSeconds: number, exec: string): Scenario {
  const common = {
    exec,
    startTime: `${startSeconds}s`,
    // requests still in flight when the phase ends are given this long, then cut (and counted)
    gracefulStop: '10s',
    tags: { phase: phase.name },
  };
  const peak = Math.max(phase.fromRate, phase.toRate);
  if (phase.fromRate === phase.toRate) {
    return {
      executor: 'constant-arrival-rate',
      rate: phase.fromRate,
      timeUnit: '1s',
      duration: `${phase.seconds}s`,
      ...vusFor(peak, 0.5),
      ...common,
    };
  }
  return {
    executor: 'ramping-arrival-rate',
    startRate: phase.fromRate,
    timeUnit: '1s',
    stages: [{ target: phase.toRate, duration: `${phase.seconds}s` }],
    ...vusFor(peak, 0.5),
    ...common,
  };
}

/** Scenarios for phases that run one after the other; a phase of 0 s is left out. */
export function phaseScenarios(phases: readonly Phase[], exec: string): Record<string, Scenario> {
  const scenarios: Record<string, Scenario> = {};
  let start = 0;
  for (const phase of phases) {
    if (phase.seconds <= 0) continue;
    scenarios[phase.name] = phaseScenario(phase, start, exec);
    start += phase.seconds;
  }
  return scenarios;
}

/** Total seconds of the phases (the window the cluster sampler has to cover). */
export function totalSeconds(phases: readonly Phase[]): number {
  return phases.reduce((sum, p) => sum + Math.max(0, p.seconds), 0);
}

/**
 * The pass/fail contract of every phase: its error rate within the error budget and its p95
 * within the phase's latency budget. k6 exits 99 when one is crossed.
 */
export function phaseThresholds(
  phases: readonly Phase[],
  errorBudget: number,
): NonNullable<Options['thresholds']> {
  const thresholds: NonNullable<Options['thresholds']> = {};
  for (const phase of phases) {
    if (phase.seconds <= 0) continue;
    thresholds[`http_req_failed{phase:${phase.name}}`] = [`rate<=${errorBudget}`];
    thresholds[`http_req_duration{phase:${phase.name}}`] = [`p(95)<${phase.p95Ms}`];
  }
  return thresholds;
}

/** The latency budget of a phase: `P95_MS_<PHASE>` (e.g. P95_MS_SUSTAIN), else `P95_MS`, else the default. */
export function phaseP95(name: string, fallback: number): number {
  return envNumber(
    `P95_MS_${name.toUpperCase().replaceAll('-', '_')}`,
    envNumber('P95_MS', fallback),
  );
}

/** The error budget of every phase: the share of requests allowed to fail (0..1). */
export function errorBudget(): number {
  const raw = __ENV.ERROR_BUDGET;
  if (raw === undefined || raw === '') return 0.01;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value >= 1) {
    throw new Error(`ERROR_BUDGET=${raw} must be a share of requests in [0, 1), e.g. 0.01`);
  }
  return value;
}

/**
 * k6 options every scenario shares. Connections: the sandbox's router, like kube-proxy, balances
 * connections, not requests; a kept-alive connection stays on the pod it was opened to, so pods
 * added by a scale-out would only ever see new connections. Each iteration therefore opens its
 * own connection (`noVUConnectionReuse`), as many independent clients would; CONNECTION_REUSE=true
 * keeps connections to show the difference.
 */
export function sharedOptions(): Pick<
  Options,
  'noVUConnectionReuse' | 'discardResponseBodies' | 'setupTimeout'
> {
  return {
    noVUConnectionReuse: __ENV.CONNECTION_REUSE !== 'true',
    // bodies are not read by the load functions: do not keep them in memory
    discardResponseBodies: true,
    setupTimeout: '30s',
  };
}
