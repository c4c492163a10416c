import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AppsV1Api, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { combineVerdicts, type EvidenceEvent, type Verdict } from '@stackproof/core';
import {
  type LoadExpectations,
  type LoadRunResult,
  runLoad,
  type Timeline,
} from '@stackproof/load';
import { findDeployment, loadKubeConfig, readDeploymentState } from './cluster.ts';
import { type DeployOutcome, deployRelease } from './deploy.ts';
import { helmHistory, helmUserValues } from './helm.ts';
import {
  DEFAULT_BOUNDS,
  judgeScenario,
  type LoadNumbers,
  type ReleaseBounds,
  type ScenarioRecord,
} from './judge.ts';
import { watchUntil } from './kube-watch.ts';
import {
  databaseOfDeployment,
  forgetNewestMigration,
  type MigrationDrift,
} from './migration-drift.ts';
import { writeProofReports } from './proof-report.ts';
import { ReleaseError } from './release-error.ts';
import { RolloutObserver, summarizeRollout } from './rollout-observer.ts';
import { SCENARIO_NAMES, SCENARIOS, type ScenarioName } from './scenarios.ts';

export interface ProveOptions {
  readonly kubeconfig: string;
  readonly namespace: string;
  /** The Helm release of the workloads chart (the sandbox's is `stackproof`). */
  readonly release: string;
  readonly chart: string;
  /** The component the load goes to and whose Deployment is judged (default backend). */
  readonly component?: string;
  /** Base URL of that component's Service: what k6 loads. */
  readonly target: string;
  /** `namespace/name` of its HPA, sampled every second on k6's clock (ready replicas in the report). */
  readonly hpa?: string;
  /** The load profile defaults (health path, latency budget); the proof sets rate, path and budget. */
  readonly expectations: LoadExpectations;
  /** Requests per second of the steady load (default 20). */
  readonly rate?: number;
  /** Path under load (default /api/items: it reads the table the migrations made). */
  readonly path?: string;
  /** helm --timeout of the bad release: how long --atomic waits before it rolls back (default 45). */
  readonly badTimeoutSeconds?: number;
  /** helm --timeout (and the migrations' bound) of every other release (default 300). */
  readonly timeoutSeconds?: number;
  readonly scenarios?: readonly ScenarioName[];
  /**
   * Values over every release of the proof, under each scenario's own (the bench measures the
   * chart without its preStop sleep with `{ preStopSleepSeconds: 0 }`).
   */
  readonly extraValues?: Readonly<Record<string, unknown>>;
  readonly bounds?: ReleaseBounds;
  readonly outDir: string;
  readonly k6Path?: string;
  readonly onProgress?: (line: string) => void;
}

export interface ScenarioResult {
  readonly name: ScenarioName;
  readonly title: string;
  readonly description: string;
  readonly verdict: Verdict;
  readonly record: ScenarioRecord;
  readonly evidence: readonly EvidenceEvent[];
}

export interface ReleaseProof {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly verdict: Verdict;
  readonly passed: boolean;
  readonly namespace: string;
  readonly release: string;
  readonly deployment: string;
  readonly target: string;
  readonly rate: number;
  readonly path: string;
  readonly scenarios: readonly ScenarioResult[];
  readonly evidence: readonly EvidenceEvent[];
  readonly outDir: string;
  readonly files: Readonly<Record<string, string>>;
}

/** Seconds of steady load before each release starts: the baseline the release must not dent. */
const LEAD_SECONDS = 10;
/**
 * Seconds of load after each release ends: a rolled-out pod keeps serving through its preStop
 * sleep and drain after helm returns, and the old pods' exit must happen under load too.
 */
const TAIL_SECONDS = 15;

/**
 * How long each scenario's release may take, with room for a busy machine; the load runs for
 * lead + this + tail. A release that runs past its load is judged `unknown`, never a pass.
 */
function releaseBudgetSeconds(name: ScenarioName, badTimeout: number): number {
  switch (name) {
    // Measured on a busy 2-core machine (docs/benchmarks.md): about 5, 10, timeout + 2 and 75 s.
    case 'unsafe-strategy':
      return 45;
    case 'good-release':
      return 75;
    case 'bad-release':
      // migrations, the full timeout, then the rollback's own wait
      return badTimeout + 50;
    case 'failed-migration':
      // the Job's backoffLimit 3: four runs with 10, 20 and 40 s pauses between them
      return 160;
  }
}

/** The keys the scenarios set; an interrupted earlier proof must not leave them in the base. */
const SCENARIO_KEYS = ['backendEnv', 'rollingUpdateMaxUnavailable'];

async function settled(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const ok = await watchUntil<V1Deployment, true>(
    kc,
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    () => apps.listNamespacedDeployment({ namespace }),
    (items) => {
      const d = items.find((i) => i.metadata?.name === name);
      const s = d?.status;
      const replicas = d?.spec?.replicas ?? 0;
      return d !== undefined &&
        (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        s?.updatedReplicas === replicas &&
        s?.readyReplicas === replicas &&
        s?.availableReplicas === replicas &&
        (s?.replicas ?? 0) === replicas
        ? true
        : undefined;
    },
    { timeoutMs: 180_000 },
  );
  if (ok === undefined) {
    throw new ReleaseError(
      'PROOF_PRECONDITION',
      `Deployment ${namespace}/${name} did not settle (all replicas updated, ready and available) within 180 s; a release cannot be judged from there`,
    );
  }
}

/** k6's numbers for the release window, from the load run's summary and per-second timeline. */
async function loadNumbers(
  result: LoadRunResult,
  releaseStartedAtMs: number,
  releaseEndedAtMs: number,
): Promise<LoadNumbers> {
  const timeline = JSON.parse(
    await readFile(join(result.outDir, 'timeline.json'), 'utf8'),
  ) as Timeline;
  const points = timeline.points.filter((p) => p.requests > 0);
  const first = points[0]?.t ?? Number.POSITIVE_INFINITY;
  const last = points.at(-1)?.t ?? Number.NEGATIVE_INFINITY;
  const from = Math.floor(releaseStartedAtMs / 1000);
  const to = Math.floor(releaseEndedAtMs / 1000);
  const window = timeline.points.filter((p) => p.t >= from && p.t <= to);
  const { summary } = result;
  return {
    requests: summary.requests.total,
    failed: summary.requests.failed,
    duringRelease: {
      requests: window.reduce((n, p) => n + p.requests, 0),
      failed: window.reduce((n, p) => n + p.failed, 0),
    },
    coveredRelease:
      first * 1000 < releaseStartedAtMs && (last + 1) * 1000 >= releaseEndedAtMs + 5_000,
    p95Ms: summary.thresholds.find((t) => t.metric === 'http_req_duration')?.value ?? null,
    loadStartedAtMs: first * 1000,
    loadEndedAtMs: (last + 1) * 1000,
    outDir: result.outDir,
  };
}

interface ScenarioContext {
  readonly kc: KubeConfig;
  readonly options: ProveOptions;
  readonly deployment: string;
  readonly base: Readonly<Record<string, unknown>>;
  readonly imageTag: string;
  readonly timeoutSeconds: number;
  readonly loadSeconds: number;
  readonly rate: number;
  readonly path: string;
  readonly outDir: string;
  readonly say: (line: string) => void;
}

/**
 * One scenario: the Deployment settled, its state and Helm's history read, the watches started,
 * steady load flowing for LEAD_SECONDS, then the release; the load runs on to its end, then
 * everything is read again. The migration history is put back whatever happens, and the load
 * (bounded by its duration) is always awaited, so no k6 outlives the scenario.
 */
async function runScenario(name: ScenarioName, c: ScenarioContext): Promise<ScenarioRecord> {
  const { kc, options, deployment, say } = c;
  const spec = SCENARIOS[name];
  const target = { kubeconfig: options.kubeconfig };
  await settled(kc, options.namespace, deployment);
  const before = await readDeploymentState(kc, options.namespace, deployment);
  const historyBefore = await helmHistory(options.release, options.namespace, target);
  let drift: MigrationDrift | undefined;
  if (spec.driftMigrations) {
    drift = await forgetNewestMigration(
      await databaseOfDeployment(kc, options.namespace, deployment),
    );
    say(
      `migration history: ${drift.migration} taken out (its table stays), so it runs again and fails`,
    );
  }
  const observer = await RolloutObserver.start(kc, options.namespace, deployment, before.selector);
  let loadFlowing: () => void = () => undefined;
  const flowing = new Promise<void>((r) => {
    loadFlowing = r;
  });
  say(`steady load: ${c.rate} req/s on ${c.path} for ${c.loadSeconds} s`);
  const load = runLoad({
    scenario: 'steady',
    target: options.target,
    ...(options.hpa === undefined ? {} : { hpa: options.hpa }),
    kubeconfig: options.kubeconfig,
    expectations: options.expectations,
    overrides: {
      rate: c.rate,
      path: c.path,
      durationSeconds: c.loadSeconds,
      errorBudget: 0,
      phaseName: name,
    },
    outDir: join(c.outDir, name, 'load'),
    progressEverySeconds: 1,
    ...(options.k6Path === undefined ? {} : { k6Path: options.k6Path }),
    onProgress: (line, snapshot) => {
      if (snapshot.requests > 0) loadFlowing();
      if (snapshot.elapsedSeconds % 10 === 0) say(line);
    },
  });
  const loadDone = load.then(
    () => undefined,
    () => undefined,
  );
  try {
    // A load that fails to start (target down) ends the wait with its error.
    await Promise.race([flowing, load.then(() => undefined)]);
    await delay(LEAD_SECONDS * 1000);
    say(
      `release: backendImageTag ${c.imageTag}${Object.keys(spec.values).length === 0 ? '' : ` with ${JSON.stringify(spec.values)}`}`,
    );
    const releaseStartedAtMs = Date.now();
    let outcome: DeployOutcome;
    try {
      outcome = await deployRelease(
        {
          release: options.release,
          namespace: options.namespace,
          chart: options.chart,
          values: { ...c.base, ...spec.values, backendImageTag: c.imageTag },
        },
        { kubeconfig: options.kubeconfig, timeoutSeconds: c.timeoutSeconds, onProgress: say },
      );
    } finally {
      // Put the history back at once: the next release must find the database as it was.
      await drift?.restore();
    }
    const releaseEndedAtMs = Date.now();
    say(`release ${outcome.status}; the load runs on to its end`);
    const loadResult = await load;
    const rollout = summarizeRollout(await observer.stop());
    return {
      name,
      namespace: options.namespace,
      deployment,
      imageTag: c.imageTag,
      timeoutSeconds: c.timeoutSeconds,
      outcome,
      releaseStartedAtMs,
      releaseEndedAtMs,
      before,
      after: await readDeploymentState(kc, options.namespace, deployment),
      historyBefore,
      historyAfter: await helmHistory(options.release, options.namespace, target),
      rollout,
      load: await loadNumbers(loadResult, releaseStartedAtMs, releaseEndedAtMs),
      ...(drift === undefined ? {} : { forgottenMigration: drift.migration }),
    };
  } finally {
    await drift?.restore();
    await loadDone;
    await observer.stop().catch(() => undefined);
  }
}

/**
 * The release lifecycle, proven on a cluster under load: for each scenario a steady k6 load
 * runs against the component's Service while a real release is made with `deployRelease` (the
 * command the deploy workflow runs), and the watches record what the Deployment, its
 * ReplicaSets, its pods and its PDB did. Then k6's numbers, the Deployment's revision history and
 * Helm's are judged (`judgeScenario`). Meant for a sandbox: it makes a bad release, a failing
 * migration and an unsafe rollout on purpose, and leaves the release on its last good revision.
 */
export async function proveReleaseLifecycle(options: ProveOptions): Promise<ReleaseProof> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const progress = options.onProgress ?? (() => undefined);
  const outDir = resolve(options.outDir);
  const component = options.component ?? 'backend';
  const rate = options.rate ?? 20;
  const path = options.path ?? '/api/items';
  const badTimeout = options.badTimeoutSeconds ?? 45;
  const timeout = options.timeoutSeconds ?? 300;
  const bounds = options.bounds ?? DEFAULT_BOUNDS;
  const names = options.scenarios ?? SCENARIO_NAMES;
  const kc = loadKubeConfig(options.kubeconfig);
  const target = { kubeconfig: options.kubeconfig };
  const deployment = await findDeployment(kc, options.namespace, options.release, component);
  const userValues = await helmUserValues(options.release, options.namespace, target);
  const base = {
    ...Object.fromEntries(
      Object.entries(userValues).filter(([key]) => !SCENARIO_KEYS.includes(key)),
    ),
    ...options.extraValues,
  };
  const runId = Date.now().toString(36);
  await rm(outDir, { recursive: true, force: true });

  const results: ScenarioResult[] = [];
  for (const [index, name] of names.entries()) {
    const context: ScenarioContext = {
      kc,
      options,
      deployment,
      base,
      imageTag: `proof-${runId}-${index + 1}`,
      timeoutSeconds: name === 'bad-release' ? badTimeout : timeout,
      loadSeconds: LEAD_SECONDS + releaseBudgetSeconds(name, badTimeout) + TAIL_SECONDS,
      rate,
      path,
      outDir,
      say: (line: string): void => progress(`[${name}] ${line}`),
    };
    const record = await runScenario(name, context);
    const evidence = judgeScenario(record, bounds);
    const verdict = combineVerdicts(evidence.map((e) => e.status)) ?? 'unknown';
    for (const e of evidence) context.say(`${e.status.padEnd(7)} ${e.check}: ${e.detail}`);
    const spec = SCENARIOS[name];
    results.push({
      name,
      title: spec.title,
      description: spec.description,
      verdict,
      record,
      evidence,
    });
  }

  // The control leaves the release with an unsafe strategy: put the release's own values back.
  if (names.at(-1) === 'unsafe-strategy') {
    progress('restoring the release values after the control');
    await settled(kc, options.namespace, deployment);
    await deployRelease(
      {
        release: options.release,
        namespace: options.namespace,
        chart: options.chart,
        values: { ...base, backendImageTag: `proof-${runId}-restored` },
      },
      { kubeconfig: options.kubeconfig, timeoutSeconds: timeout, onProgress: progress },
    );
  }

  const evidence = results.flatMap((r) => r.evidence);
  const verdict = combineVerdicts(evidence.map((e) => e.status)) ?? 'unknown';
  const proof = {
    startedAt,
    durationSeconds: Math.round((performance.now() - t0) / 1000),
    verdict,
    passed: verdict === 'pass',
    namespace: options.namespace,
    release: options.release,
    deployment,
    target: options.target,
    rate,
    path,
    scenarios: results,
    evidence,
    outDir,
  };
  const files = await writeProofReports(proof);
  return { ...proof, files };
}
