import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { k6ChildEnv } from './k6-env.ts';
import { K6RunError } from './k6-errors.ts';

/** One load phase as k6 will run it: a scenario tagged `phase:<name>`. */
export interface PlannedPhase {
  readonly name: string;
  /** Seconds after the test start (after setup()) the phase begins. */
  readonly startSeconds: number;
  readonly seconds: number;
  /** Arrival rate at the start and at the end of the phase (req/s). */
  readonly fromRate: number;
  readonly toRate: number;
}

/** A threshold as the script declares it: `http_req_duration{phase:sustain}` / `p(95)<2000`. */
export interface PlannedThreshold {
  readonly metric: string;
  readonly expression: string;
}

/** What a script will do, read from `k6 inspect` before anything is sent. */
export interface LoadPlan {
  readonly phases: readonly PlannedPhase[];
  /** Whether the script samples the cluster (a scenario tagged `phase:sampler`). */
  readonly samplesCluster: boolean;
  readonly thresholds: readonly PlannedThreshold[];
  /** End of the last phase, in seconds after the start. */
  readonly totalSeconds: number;
}

/** k6 durations: `90s`, `1m30s`, `2h`, `500ms`, `1.5s`, or a bare number of seconds. */
export function parseK6Duration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const unit = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, µs: 1e-6, ns: 1e-9 } as const;
  let total = 0;
  let rest = trimmed;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/.exec(rest);
    if (match === null) throw new Error(`'${text}' is not a k6 duration`);
    total += Number(match[1]) * unit[match[2] as keyof typeof unit];
    rest = rest.slice(match[0].length);
  }
  if (trimmed === '') throw new Error('empty duration');
  return total;
}

interface InspectedScenario {
  executor?: string;
  startTime?: string | null;
  duration?: string | null;
  maxDuration?: string | null;
  rate?: number | null;
  startRate?: number | null;
  stages?: { duration: string; target: number }[] | null;
  tags?: Record<string, string> | null;
}

/**
 * The plan of a script from its consolidated options (`k6 inspect`): each scenario tagged with a
 * `phase` is a load phase (arrival-rate executors), the one tagged `phase:sampler` is the cluster
 * sampler. Pure, so the runner, the aggregator and the tests read a plan the same way.
 */
export function planFromOptions(options: {
  scenarios?: Record<string, InspectedScenario> | null;
  thresholds?: Record<string, string[]> | null;
}): LoadPlan {
  const phases: PlannedPhase[] = [];
  let samplesCluster = false;
  for (const [name, s] of Object.entries(options.scenarios ?? {})) {
    const phase = s.tags?.phase ?? name;
    const start = s.startTime ? parseK6Duration(s.startTime) : 0;
    if (phase === 'sampler') {
      samplesCluster = true;
      continue;
    }
    if (s.executor === 'constant-arrival-rate' && s.duration && typeof s.rate === 'number') {
      phases.push({
        name: phase,
        startSeconds: start,
        seconds: parseK6Duration(s.duration),
        fromRate: s.rate,
        toRate: s.rate,
      });
    } else if (s.executor === 'ramping-arrival-rate' && s.stages && s.stages.length > 0) {
      const seconds = s.stages.reduce((sum, st) => sum + parseK6Duration(st.duration), 0);
      const last = s.stages[s.stages.length - 1] as { target: number };
      phases.push({
        name: phase,
        startSeconds: start,
        seconds,
        fromRate: s.startRate ?? 0,
        toRate: last.target,
      });
    } else {
      throw new Error(
        `scenario '${name}' (${s.executor ?? 'no executor'}) is not an arrival-rate phase; stackproof scripts use constant- or ramping-arrival-rate`,
      );
    }
  }
  phases.sort((a, b) => a.startSeconds - b.startSeconds);
  const thresholds = Object.entries(options.thresholds ?? {}).flatMap(([metric, expressions]) =>
    expressions.map((expression) => ({ metric, expression })),
  );
  const totalSeconds = phases.reduce((end, p) => Math.max(end, p.startSeconds + p.seconds), 0);
  return {
    phases,
    samplesCluster,
    thresholds,
    totalSeconds,
  };
}

/** Runs `k6 inspect` on the script with its env and returns the plan (fails on a script error). */
export async function inspectScript(
  k6Path: string,
  script: string,
  scriptEnv: Readonly<Record<string, string>>,
): Promise<LoadPlan> {
  const args = ['inspect'];
  for (const [key, value] of Object.entries(scriptEnv)) args.push('-e', `${key}=${value}`);
  args.push(script);
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(k6Path, args, {
      env: k6ChildEnv(process.env),
      maxBuffer: 16 * 1024 * 1024,
      timeout: 60_000,
    }));
  } catch (error) {
    const e = error as { code?: number; stderr?: string; signal?: string };
    throw new K6RunError(
      `inspect ${script}`,
      typeof e.code === 'number' ? e.code : null,
      e.signal ?? null,
      (e.stderr ?? String(error)).trim().split('\n').slice(-5).join('\n'),
    );
  }
  return planFromOptions(JSON.parse(stdout) as Parameters<typeof planFromOptions>[0]);
}
