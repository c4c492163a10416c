import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { StackproofError } from '@stackproof/core';
import { writeReportFile } from '@stackproof/report';
import { resolveTool } from '@stackproof/toolchain';
import { judgeRun, type LoadSummary, type RunPlan } from './judge.ts';
import { k6ChildEnv } from './k6-env.ts';
import { inspectScript } from './k6-plan.ts';
import { type K6RunResult, runK6 } from './k6-run.ts';
import type { ThresholdResult } from './k6-summary.ts';
import type { LoadExpectations, ScenarioName } from './load-expectations.ts';
import { loadScript } from './load-scripts.ts';
import { formatProgress, type ProgressSnapshot, ProgressTailer } from './progress.ts';
import type { ScaleOutBounds } from './scale-out-contract.ts';

/** The k6 found has no xk6-kubernetes extension (a stock k6): the scripts cannot run on it. */
export class K6ExtensionMissingError extends StackproofError {
  constructor(k6Path: string, detail: string) {
    super(
      'K6_EXTENSION_MISSING',
      'environment',
      `${k6Path} has no k6/x/kubernetes extension (${detail}); run 'make tools' to build k6 with xk6-kubernetes, or set K6_BIN to such a build`,
    );
  }
}

/** Checks that `k6Path` runs and carries xk6-kubernetes (`k6 version --json`). */
export async function requireK6WithKubernetes(k6Path: string): Promise<void> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(k6Path, ['version', '--json'], {
      env: k6ChildEnv(process.env),
      timeout: 30_000,
    }));
  } catch (error) {
    throw new K6ExtensionMissingError(
      k6Path,
      `'k6 version --json' failed: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  let info: { extensions?: { imports?: string[] }[] };
  try {
    info = JSON.parse(stdout);
  } catch {
    throw new K6ExtensionMissingError(k6Path, "'k6 version --json' did not print JSON: not k6 v1+");
  }
  if (!(info.extensions ?? []).some((e) => (e.imports ?? []).includes('k6/x/kubernetes'))) {
    throw new K6ExtensionMissingError(k6Path, 'its version lists no such extension');
  }
}

/** Flag values that replace the expectations' (all optional). */
export interface LoadRunOverrides {
  /** Target rate: scale-out's sustain rate, steady's rate, spike's spike rate. */
  readonly rate?: number;
  readonly baseRate?: number;
  /** Scale-out: sustain; steady: the whole run; spike: the spike phase. */
  readonly durationSeconds?: number;
  readonly cooldownSeconds?: number;
  readonly rampSeconds?: number;
  readonly baselineSeconds?: number;
  readonly p95Ms?: number;
  readonly errorBudget?: number;
  readonly minPeakReplicas?: number;
  readonly scaleOutSeconds?: number;
  readonly readySeconds?: number;
  readonly scaleInSeconds?: number;
  readonly path?: string;
  /** The phase tag of a steady run (`steady` by default; a chaos run names its experiment). */
  readonly phaseName?: string;
}

export interface LoadRunOptions {
  readonly scenario: ScenarioName;
  /** Base URL of the target (`http://127.0.0.1:8080`). */
  readonly target: string;
  /** `namespace/name` of the HPA to sample; required for scale-out. */
  readonly hpa?: string;
  /** Kubeconfig the sampler uses (default: in-cluster, then ~/.kube/config). */
  readonly kubeconfig?: string;
  readonly expectations: LoadExpectations;
  readonly overrides?: LoadRunOverrides;
  /** k6 processes splitting the load with execution segments (default 1). */
  readonly instances?: number;
  readonly outDir: string;
  /** Keep connections between iterations (off: each iteration opens its own; see the README). */
  readonly connectionReuse?: boolean;
  /** Extra `-e KEY=VALUE` for the script. */
  readonly extraEnv?: Readonly<Record<string, string>>;
  readonly k6Path?: string;
  readonly onProgress?: (line: string, snapshot: ProgressSnapshot) => void;
  /** How often a progress line is emitted (default 5 s). */
  readonly progressEverySeconds?: number;
}

export interface LoadRunResult {
  readonly summary: LoadSummary;
  readonly outDir: string;
  /** k6's own verdicts of a single-process run (the merged evaluation must agree with them). */
  readonly k6Thresholds?: readonly ThresholdResult[];
}

/** A bad value in the options of a run (the CLI's flags map onto them). */
export class LoadRunInputError extends StackproofError {
  constructor(message: string) {
    super('LOAD_RUN_INVALID', 'bad-input', message);
  }
}

// Only the tags the judge and the report read: the JSON output stays a third of its full size.
const SYSTEM_TAGS = 'status,method,scenario,expected_response,error_code';

/** The `-e` values of a scenario: expectations, then the flags over them. */
export function scenarioEnv(options: LoadRunOptions): Record<string, string> {
  const e = options.expectations;
  const o = options.overrides ?? {};
  const env: Record<string, string> = {
    BASE_URL: options.target,
    LOAD_PATH: o.path ?? e.path,
    HEALTH_PATH: e.healthPath,
    ERROR_BUDGET: String(o.errorBudget ?? e.errorBudget),
  };
  const p95 = (defaults: Readonly<Record<string, number>>): void => {
    for (const [phase, ms] of Object.entries(defaults))
      env[`P95_MS_${phase.toUpperCase()}`] = String(o.p95Ms ?? ms);
  };
  switch (options.scenario) {
    case 'scale-out': {
      const s = e.scaleOut;
      Object.assign(env, {
        BASE_RATE: String(o.baseRate ?? s.baseRate),
        RATE: String(o.rate ?? s.rate),
        BASELINE: `${o.baselineSeconds ?? s.baselineSeconds}s`,
        RAMP: `${o.rampSeconds ?? s.rampSeconds}s`,
        SUSTAIN: `${o.durationSeconds ?? s.sustainSeconds}s`,
        DROP: `${s.dropSeconds}s`,
        COOLDOWN: `${o.cooldownSeconds ?? s.cooldownSeconds}s`,
      });
      p95(s.p95Ms);
      break;
    }
    case 'steady': {
      const s = e.steady;
      Object.assign(env, {
        RATE: String(o.rate ?? s.rate),
        DURATION: `${o.durationSeconds ?? s.durationSeconds}s`,
        PHASE: o.phaseName ?? 'steady',
      });
      env[`P95_MS_${(o.phaseName ?? 'steady').toUpperCase().replaceAll('-', '_')}`] = String(
        o.p95Ms ?? s.p95Ms,
      );
      break;
    }
    case 'spike': {
      const s = e.spike;
      Object.assign(env, {
        BASE_RATE: String(o.baseRate ?? s.baseRate),
        SPIKE_RATE: String(o.rate ?? s.spikeRate),
        BASELINE: `${o.baselineSeconds ?? s.baselineSeconds}s`,
        SURGE: `${s.surgeSeconds}s`,
        SPIKE: `${o.durationSeconds ?? s.spikeSeconds}s`,
        RECOVERY: `${o.cooldownSeconds ?? s.recoverySeconds}s`,
      });
      p95(s.p95Ms);
      break;
    }
  }
  if (options.hpa !== undefined) env.HPA = options.hpa;
  if (options.kubeconfig !== undefined) env.KUBECONFIG_PATH = resolve(options.kubeconfig);
  if (options.connectionReuse === true) env.CONNECTION_REUSE = 'true';
  const instances = options.instances ?? 1;
  // every process needs its share of VUs (k6 splits them by segment)
  env.MAX_VUS = String(Math.max(400, 100 * instances));
  return { ...env, ...options.extraEnv };
}

/** `0,1/3,2/3,1` and each instance's `i/N:(i+1)/N`. */
export function executionSegments(instances: number): { sequence: string; segments: string[] } {
  const point = (i: number): string =>
    i === 0 ? '0' : i === instances ? '1' : `${i}/${instances}`;
  const points = Array.from({ length: instances + 1 }, (_, i) => point(i));
  return {
    sequence: points.join(','),
    segments: Array.from({ length: instances }, (_, i) => `${points[i]}:${points[i + 1]}`),
  };
}

/** The bounds of the scale-out contract after the flags. */
function scaleOutBounds(options: LoadRunOptions): ScaleOutBounds {
  const s = options.expectations.scaleOut;
  const o = options.overrides ?? {};
  return {
    minPeakReplicas: o.minPeakReplicas ?? s.minPeakReplicas,
    scaleOutSeconds: o.scaleOutSeconds ?? s.scaleOutSeconds,
    readySeconds: o.readySeconds ?? s.readySeconds,
    scaleInSeconds: o.scaleInSeconds ?? s.scaleInSeconds,
  };
}

async function gzipInPlace(file: string): Promise<string> {
  const gz = `${file}.gz`;
  await pipeline(createReadStream(file), createGzip({ level: 6 }), createWriteStream(gz));
  await rm(file);
  return gz;
}

/** A run checked and planned, before anything is sent. */
export interface PreparedRun {
  readonly runPlan: RunPlan;
  readonly script: string;
  readonly k6Path: string;
}

/**
 * Checks the options, k6 and its extension, and reads the plan with `k6 inspect` (a script error
 * surfaces here, before any load). Shared by `runLoad` and `stackproof load manifest`.
 */
export async function prepareRun(options: LoadRunOptions): Promise<PreparedRun> {
  const instances = options.instances ?? 1;
  if (!Number.isInteger(instances) || instances < 1 || instances > 16) {
    throw new LoadRunInputError(`--instances must be an integer from 1 to 16, got ${instances}`);
  }
  if (options.scenario === 'scale-out' && options.hpa === undefined) {
    throw new LoadRunInputError(
      'the scale-out scenario needs the HPA to watch: pass --hpa NAMESPACE/NAME',
    );
  }
  let target: URL;
  try {
    target = new URL(options.target);
  } catch {
    throw new LoadRunInputError(
      `--target must be a URL such as http://127.0.0.1:8080, got '${options.target}'`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new LoadRunInputError(`--target must be an http(s) URL, got '${options.target}'`);
  }
  const k6Path = options.k6Path ?? resolveTool('k6').path;
  await requireK6WithKubernetes(k6Path);
  const script = loadScript(options.scenario);
  const scriptEnv = scenarioEnv(options);
  const plan = await inspectScript(k6Path, script, scriptEnv);
  return {
    script,
    k6Path,
    runPlan: {
      format: 1,
      scenario: options.scenario,
      target: options.target,
      ...(options.hpa === undefined ? {} : { hpa: options.hpa }),
      instances,
      scriptEnv,
      plan,
      ...(options.scenario === 'scale-out' ? { bounds: scaleOutBounds(options) } : {}),
    },
  };
}

/**
 * Runs a scenario: prepares it (`prepareRun`), writes plan.json, starts N k6 processes
 * (execution segments) with their JSON outputs under `raw/`, shows progress while they run, then
 * judges the merged raw samples (`judgeRun`). A target that is down fails setup() in k6
 * (`K6RunError`, kind environment); a contract that does not hold is a result with
 * `summary.passed === false`, not an error.
 */
export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  const { runPlan, script, k6Path } = await prepareRun(options);
  const { plan, scriptEnv, instances } = runPlan;
  const outDir = resolve(options.outDir);
  const rawDir = join(outDir, 'raw');
  await rm(rawDir, { recursive: true, force: true });
  await mkdir(rawDir, { recursive: true });
  await writeReportFile(join(outDir, 'plan.json'), `${JSON.stringify(runPlan, null, 2)}\n`);

  const outputs = Array.from({ length: instances }, (_, i) => join(rawDir, `k6-${i}.json`));
  const { sequence, segments } = executionSegments(instances);
  const tailer = new ProgressTailer(
    outputs,
    plan.phases.map((p) => p.name),
  );
  const every = (options.progressEverySeconds ?? 5) * 1000;
  let lastEmit = 0;
  let polling = false;
  const ticker = setInterval(() => {
    if (polling) return; // a slow disk must not stack polls up
    polling = true;
    void tailer
      .poll()
      .then(() => {
        const now = Date.now();
        const snapshot = tailer.snapshot(now, plan.totalSeconds);
        if (snapshot !== undefined && now - lastEmit >= every) {
          lastEmit = now;
          options.onProgress?.(formatProgress(snapshot), snapshot);
        }
      })
      .catch(() => undefined) // progress is a courtesy: never fail the run over it
      .finally(() => {
        polling = false;
      });
  }, 1000);
  const abort = new AbortController();
  let results: K6RunResult[];
  try {
    results = await Promise.all(
      outputs.map((out, i) =>
        runK6({
          script,
          k6Path,
          scriptEnv,
          extraArgs: [
            '--out',
            `json=${out}`,
            '--system-tags',
            SYSTEM_TAGS,
            ...(instances > 1
              ? [
                  '--execution-segment',
                  segments[i] as string,
                  '--execution-segment-sequence',
                  sequence,
                ]
              : []),
          ],
          // setup (30 s), every phase, graceful stops and the summary, with room to spare
          timeoutMs: (plan.totalSeconds + 180) * 1000,
          signal: abort.signal,
        }).catch((error: unknown) => {
          abort.abort();
          throw error;
        }),
      ),
    );
  } catch (error) {
    // no verdict (target down, script error, timeout): leave no half-written run behind
    await rm(rawDir, { recursive: true, force: true });
    await rm(join(outDir, 'plan.json'), { force: true });
    throw error;
  } finally {
    clearInterval(ticker);
  }
  const summary = await judgeRun(runPlan, outputs, outDir);
  // the raw samples are the evidence behind every number: kept, compressed (aggregate reads .gz)
  for (const out of outputs) await gzipInPlace(out);
  return {
    summary,
    outDir,
    ...(instances === 1 && results[0] !== undefined ? { k6Thresholds: results[0].thresholds } : {}),
  };
}
