import { type EvidenceEvent, evidence, type JsonValue } from '@stackproof/core';
import type { DeploymentState } from './cluster.ts';
import type { DeployOutcome } from './deploy.ts';
import type { HelmRevision } from './helm.ts';
import type { RolloutSummary } from './rollout-observer.ts';
import { SCENARIOS, type ScenarioName } from './scenarios.ts';

export const RELEASE_PROPERTY = 'k8s.release-under-load';

/** k6's numbers for one scenario's steady load (the load run's summary and timeline). */
export interface LoadNumbers {
  readonly requests: number;
  readonly failed: number;
  /** Requests that completed in the seconds the release was running (its window, whole seconds). */
  readonly duringRelease: { readonly requests: number; readonly failed: number };
  /** The load ran from before the release started until after it ended (else nothing is proven). */
  readonly coveredRelease: boolean;
  readonly p95Ms: number | null;
  readonly loadStartedAtMs: number;
  readonly loadEndedAtMs: number;
  /** Where the load run's report is (timeline.json, report.html…). */
  readonly outDir: string;
}

/** Everything one scenario observed: the input of `judgeScenario`. */
export interface ScenarioRecord {
  readonly name: ScenarioName;
  readonly namespace: string;
  readonly deployment: string;
  readonly imageTag: string;
  readonly timeoutSeconds: number;
  readonly outcome: DeployOutcome;
  readonly releaseStartedAtMs: number;
  readonly releaseEndedAtMs: number;
  readonly before: DeploymentState;
  readonly after: DeploymentState;
  readonly historyBefore: readonly HelmRevision[];
  readonly historyAfter: readonly HelmRevision[];
  readonly rollout: RolloutSummary;
  readonly load: LoadNumbers;
  /** The migration whose history row was taken out (failed-migration only). */
  readonly forgottenMigration?: string;
}

/** Bounds the proof holds the releases to. */
export interface ReleaseBounds {
  /** --atomic must be done this long after the upgrade's timeout ran out (the rollback itself). */
  readonly rollbackSeconds: number;
}

export const DEFAULT_BOUNDS: ReleaseBounds = { rollbackSeconds: 60 };

type Check = Omit<Parameters<typeof evidence>[0], 'property' | 'phase' | 'subject'>;

const seconds = (ms: number): number => Math.round(ms / 100) / 10;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Zero failed requests while the release ran, from k6's own counts. Unknown when the load did not
 * cover the release: a release that ran after the load stopped proves nothing either way.
 */
export function zeroFailedCheck(check: string, load: LoadNumbers): Check {
  const data = {
    requests: load.requests,
    failed: load.failed,
    requestsDuringRelease: load.duringRelease.requests,
    failedDuringRelease: load.duringRelease.failed,
    p95Ms: load.p95Ms,
  };
  if (!load.coveredRelease) {
    return {
      check,
      status: 'unknown',
      detail: 'the steady load did not run for the whole release; nothing is proven about it',
      data,
    };
  }
  const measure = {
    name: 'failed_requests',
    value: load.failed,
    unit: 'requests',
    bound: { op: '<=' as const, limit: 0 },
  };
  if (load.failed === 0) {
    return {
      check,
      status: 'pass',
      detail: `k6 sent ${load.requests} requests, ${load.duringRelease.requests} of them while the release ran; none failed`,
      measure,
      data,
    };
  }
  return {
    check,
    status: 'fail',
    detail: `${load.failed} of ${load.requests} requests failed (${load.duringRelease.failed} while the release ran)`,
    expected: 'no failed request',
    measure,
    data,
  };
}

/**
 * The replica floor and the PDB held for the whole observation: the Deployment never reported
 * fewer available replicas than its replica count (maxUnavailable 0), and the PDB never fewer
 * healthy pods than it requires. Unknown when a watch failed (a gap) or nothing was observed.
 */
export function floorHeldCheck(check: string, rollout: RolloutSummary): Check {
  const data: Record<string, JsonValue> = {
    deploymentUpdates: rollout.deploymentUpdates,
    pdbUpdates: rollout.pdbUpdates,
    minAvailable: rollout.minAvailable,
    belowFloor: rollout.belowFloor.slice(0, 5),
    pdbViolations: rollout.pdbViolations.slice(0, 5),
  };
  if (rollout.watchErrors.length > 0) {
    return {
      check,
      status: 'unknown',
      detail: `the watches failed during the release (${rollout.watchErrors[0]}); the observation has a gap`,
      data,
    };
  }
  if (rollout.minAvailable === null) {
    return { check, status: 'unknown', detail: 'the Deployment was never observed', data };
  }
  const problems = [
    ...(rollout.belowFloor.length === 0
      ? []
      : [
          `available replicas fell to ${Math.min(...rollout.belowFloor.map((b) => b.available))} of ${rollout.belowFloor[0]?.replicas}`,
        ]),
    ...(rollout.pdbViolations.length === 0
      ? []
      : [
          `the PDB had ${Math.min(...rollout.pdbViolations.map((v) => v.currentHealthy))} healthy pods where it requires ${rollout.pdbViolations[0]?.desiredHealthy}`,
        ]),
  ];
  if (problems.length === 0) {
    return {
      check,
      status: 'pass',
      detail: `available replicas never fell below the replica count (lowest ${rollout.minAvailable.available}/${rollout.minAvailable.replicas}, ${plural(rollout.deploymentUpdates, 'update')}) and the PDB always had the healthy pods it requires (${plural(rollout.pdbUpdates, 'update')})`,
      data,
    };
  }
  return {
    check,
    status: 'fail',
    detail: problems.join('; '),
    expected:
      'available >= replicas throughout (maxUnavailable 0) and currentHealthy >= desiredHealthy',
    data,
  };
}

function lastDeployed(history: readonly HelmRevision[]): HelmRevision | undefined {
  return history.findLast((r) => r.status === 'deployed');
}

function historyData(history: readonly HelmRevision[], from: number): JsonValue {
  return history
    .filter((r) => r.revision >= from)
    .map((r) => ({ revision: r.revision, status: r.status, description: r.description }));
}

function verdict(ok: boolean): 'pass' | 'fail' {
  return ok ? 'pass' : 'fail';
}

function goodReleaseChecks(r: ScenarioRecord): Check[] {
  const before = lastDeployed(r.historyBefore)?.revision ?? 0;
  const helm = r.historyAfter.find((h) => h.revision === before + 1);
  const previous = r.historyAfter.find((h) => h.revision === before);
  const helmOk =
    r.outcome.status === 'deployed' &&
    helm?.status === 'deployed' &&
    previous?.status === 'superseded';
  const active = r.after.replicaSets.find((rs) => rs.hash === r.after.activeHash);
  const leftovers = r.after.replicaSets.filter(
    (rs) => rs.hash !== r.after.activeHash && rs.replicas > 0,
  );
  const oldPods = r.after.pods.filter((p) => p.hash === r.before.activeHash);
  const deploymentOk =
    r.after.revision === r.before.revision + 1 &&
    r.after.activeHash !== r.before.activeHash &&
    active !== undefined &&
    active.readyReplicas === active.replicas &&
    active.replicas >= 1 &&
    leftovers.length === 0 &&
    oldPods.length === 0;
  const rolloutMs = r.outcome.upgrade?.durationMs ?? 0;
  return [
    {
      check: 'good-release-deployed',
      status: verdict(helmOk),
      detail: helmOk
        ? `helm upgrade --atomic deployed revision ${before + 1} in ${seconds(rolloutMs)} s (migrations ${r.outcome.migrations.status}); revision ${before} superseded`
        : `release ${r.outcome.status}; helm history after it: ${JSON.stringify(historyData(r.historyAfter, before))}`,
      ...(helmOk ? {} : { expected: `revision ${before + 1} deployed, ${before} superseded` }),
      measure: { name: 'rollout_s', value: seconds(rolloutMs), unit: 's' },
      data: { helm: historyData(r.historyAfter, before), outcome: r.outcome.status },
    },
    {
      check: 'good-release-revision',
      status: verdict(deploymentOk),
      detail: deploymentOk
        ? `Deployment revision ${r.before.revision} -> ${r.after.revision}: ReplicaSet ${r.before.activeHash} replaced by ${r.after.activeHash} (${active?.readyReplicas}/${active?.replicas} ready), no old pod left`
        : `Deployment revision ${r.before.revision} -> ${r.after.revision}, active ReplicaSet ${r.before.activeHash} -> ${r.after.activeHash || '(none)'} (${active?.readyReplicas ?? 0}/${active?.replicas ?? 0} ready), ${leftovers.length} older ReplicaSets still scaled up, ${oldPods.length} old pods left`,
      ...(deploymentOk
        ? {}
        : { expected: 'revision +1, a new ReplicaSet fully ready, the old one scaled to 0' }),
      data: {
        revisions: [r.before.revision, r.after.revision],
        replicaSets: r.after.replicaSets.map((rs) => ({ ...rs })),
      },
    },
    zeroFailedCheck('good-release-zero-failed', r.load),
    floorHeldCheck('good-release-floor-held', r.rollout),
  ];
}

function badReleaseChecks(r: ScenarioRecord, bounds: ReleaseBounds): Check[] {
  const before = lastDeployed(r.historyBefore)?.revision ?? 0;
  const failedRev = r.historyAfter.find((h) => h.revision === before + 1);
  const rollbackRev = r.historyAfter.find((h) => h.revision === before + 2);
  const upgrade = r.outcome.upgrade;
  const totalSeconds = seconds(upgrade?.durationMs ?? 0);
  const rollbackMs =
    upgrade?.rollbackStartedAfterMs === undefined
      ? null
      : upgrade.durationMs - upgrade.rollbackStartedAfterMs;
  const limit = r.timeoutSeconds + bounds.rollbackSeconds;
  const helmOk =
    r.outcome.status === 'rolled-back' &&
    failedRev?.status === 'failed' &&
    rollbackRev?.status === 'deployed' &&
    rollbackRev.description === `Rollback to ${before}` &&
    totalSeconds <= limit;
  const bad = r.rollout.replicaSets.filter((rs) => rs.new);
  const servedBefore = new Set(r.before.pods.filter((p) => p.ready).map((p) => p.name));
  const stillServing = r.after.pods.filter((p) => servedBefore.has(p.name) && p.ready);
  const restarted = r.after.pods.filter((p) => {
    const was = r.before.pods.find((b) => b.name === p.name);
    return was !== undefined && p.restarts > was.restarts;
  });
  const oldDeleted = r.rollout.podsDeleted.filter((p) => servedBefore.has(p.name));
  const deploymentOk =
    r.after.revision === r.before.revision + 2 &&
    r.after.activeHash === r.before.activeHash &&
    bad.length >= 1 &&
    bad.every((rs) => rs.maxReady === 0) &&
    r.after.replicaSets
      .filter((rs) => rs.hash !== r.after.activeHash)
      .every((rs) => rs.replicas === 0) &&
    stillServing.length === servedBefore.size &&
    restarted.length === 0 &&
    oldDeleted.length === 0;
  const newPods = r.rollout.podsCreated;
  return [
    {
      check: 'bad-release-rolled-back',
      status: verdict(helmOk),
      detail: helmOk
        ? `helm upgrade --atomic gave up after its ${r.timeoutSeconds} s timeout and rolled back: revision ${before + 1} failed, ${before + 2} "${rollbackRev?.description}"; ${totalSeconds} s in all${rollbackMs === null ? '' : `, the rollback ${seconds(rollbackMs)} s`}`
        : `release ${r.outcome.status} after ${totalSeconds} s (bound ${limit} s); helm history after it: ${JSON.stringify(historyData(r.historyAfter, before))}`,
      ...(helmOk
        ? {}
        : {
            expected: `revision ${before + 1} failed and ${before + 2} "Rollback to ${before}" deployed within ${limit} s`,
          }),
      measure: {
        name: 'upgrade_and_rollback_s',
        value: totalSeconds,
        unit: 's',
        bound: { op: '<=', limit },
      },
      data: {
        helm: historyData(r.historyAfter, before),
        rollbackSeconds: rollbackMs === null ? null : seconds(rollbackMs),
        helmTail: upgrade?.outputTail ?? '',
      },
    },
    {
      check: 'bad-release-revision',
      status: verdict(deploymentOk),
      detail: deploymentOk
        ? `Deployment revision ${r.before.revision} -> ${r.before.revision + 1} (ReplicaSet ${bad.map((b) => b.hash).join(', ')}: never a ready pod; ${plural(newPods.length, 'pod')}, up to ${plural(Math.max(0, ...newPods.map((p) => p.maxRestarts)), 'restart')} each) -> ${r.after.revision}: ReplicaSet ${r.before.activeHash} again; the ${servedBefore.size} pods that served before kept serving, none restarted or deleted`
        : `Deployment revision ${r.before.revision} -> ${r.after.revision}, active ReplicaSet ${r.before.activeHash} -> ${r.after.activeHash}; new ReplicaSets ${JSON.stringify(bad.map((b) => ({ hash: b.hash, maxReady: b.maxReady })))}; ${stillServing.length}/${servedBefore.size} old pods still serving, ${restarted.length} restarted, ${oldDeleted.length} deleted`,
      ...(deploymentOk
        ? {}
        : {
            expected:
              'revision +2 on the old ReplicaSet, the bad one never ready and scaled to 0, the old pods untouched',
          }),
      data: {
        revisions: [r.before.revision, r.after.revision],
        replicaSets: r.rollout.replicaSets.map((rs) => ({ ...rs })),
        oldPods: [...servedBefore],
      },
    },
    zeroFailedCheck('bad-release-zero-failed', r.load),
    floorHeldCheck('bad-release-floor-held', r.rollout),
  ];
}

function failedMigrationChecks(r: ScenarioRecord): Check[] {
  const migrations = r.outcome.migrations;
  const stopped =
    r.outcome.status === 'migrations-failed' &&
    r.outcome.upgrade === undefined &&
    migrations.status === 'failed';
  const historySame =
    r.historyAfter.length === r.historyBefore.length &&
    lastDeployed(r.historyAfter)?.revision === lastDeployed(r.historyBefore)?.revision;
  const podNames = (s: typeof r.before) => s.pods.map((p) => `${p.name}:${p.restarts}`).join(',');
  const unchanged =
    r.after.revision === r.before.revision &&
    r.after.activeHash === r.before.activeHash &&
    podNames(r.after) === podNames(r.before) &&
    r.rollout.replicaSets.every((rs) => !rs.new) &&
    r.rollout.podsCreated.length === 0 &&
    r.rollout.podsDeleted.length === 0;
  const reason =
    migrations.status === 'failed' || migrations.status === 'timed-out'
      ? `${migrations.status}${'reason' in migrations && migrations.reason !== undefined ? ` (${migrations.reason}, ${migrations.attempts} attempts)` : ''}`
      : migrations.status;
  const migrationSeconds = migrations.status === 'skipped' ? 0 : seconds(migrations.durationMs);
  const lastLine =
    'logTail' in migrations
      ? migrations.logTail?.split('\n').findLast((l) => l.trim() !== '')
      : undefined;
  return [
    {
      check: 'failed-migration-stops-release',
      status: verdict(stopped && historySame),
      detail:
        stopped && historySame
          ? `the migrations Job ${reason} after ${migrationSeconds} s (migration ${r.forgottenMigration ?? '?'}${lastLine === undefined ? '' : `: "${lastLine}"`}); helm upgrade was never run and the Helm history is unchanged (revision ${lastDeployed(r.historyAfter)?.revision})`
          : `release ${r.outcome.status}, migrations ${reason}, helm ${r.outcome.upgrade === undefined ? 'not run' : `exited ${r.outcome.upgrade.exitCode}`}; Helm history ${r.historyBefore.length} -> ${r.historyAfter.length} revisions`,
      ...(stopped && historySame
        ? {}
        : { expected: 'the migrations step fails and helm is never run (history unchanged)' }),
      data: { migrations: { ...migrations }, helm: historyData(r.historyAfter, 0) },
    },
    {
      check: 'failed-migration-nothing-changed',
      status: verdict(unchanged),
      detail: unchanged
        ? `Deployment revision ${r.after.revision}, ReplicaSet ${r.after.activeHash}, and its ${r.after.pods.length} pods unchanged; no pod created or deleted while the release ran`
        : `Deployment revision ${r.before.revision} -> ${r.after.revision}, ReplicaSet ${r.before.activeHash} -> ${r.after.activeHash}, ${r.rollout.podsCreated.length} pods created and ${r.rollout.podsDeleted.length} deleted`,
      ...(unchanged ? {} : { expected: 'the same revision, ReplicaSet and pods before and after' }),
      data: {
        revisions: [r.before.revision, r.after.revision],
        pods: r.after.pods.map((p) => p.name),
      },
    },
    zeroFailedCheck('failed-migration-zero-failed', r.load),
  ];
}

function controlChecks(r: ScenarioRecord): Check[] {
  const zero = zeroFailedCheck('unsafe-strategy-zero-failed', r.load);
  const floor = floorHeldCheck('unsafe-strategy-floor-held', r.rollout);
  const status = zero.status === 'fail' ? 'pass' : zero.status === 'pass' ? 'fail' : 'unknown';
  return [
    {
      check: 'unsafe-strategy-is-caught',
      status,
      detail:
        status === 'pass'
          ? `with maxUnavailable 100% the zero-failed check fails as it must: ${zero.detail}; replica floor: ${floor.detail}`
          : status === 'fail'
            ? `with maxUnavailable 100% no request failed (${zero.detail}): the load cannot tell an unsafe rollout from a safe one`
            : `not judged: ${zero.detail}`,
      ...(status === 'fail' ? { expected: 'failed requests under an unsafe strategy' } : {}),
      data: {
        zeroFailed: zero.status,
        floorHeld: floor.status,
        failed: r.load.failed,
        failedDuringRelease: r.load.duringRelease.failed,
        minAvailable: r.rollout.minAvailable,
      },
    },
  ];
}

/** Each check of one scenario as an evidence event of `k8s.release-under-load` (phase load). */
export function judgeScenario(
  r: ScenarioRecord,
  bounds: ReleaseBounds = DEFAULT_BOUNDS,
): EvidenceEvent[] {
  const checks =
    r.name === 'good-release'
      ? goodReleaseChecks(r)
      : r.name === 'bad-release'
        ? badReleaseChecks(r, bounds)
        : r.name === 'failed-migration'
          ? failedMigrationChecks(r)
          : controlChecks(r);
  const at = new Date(Math.max(r.releaseEndedAtMs, r.load.loadEndedAtMs));
  return checks.map((c) =>
    evidence({
      ...c,
      at,
      property: RELEASE_PROPERTY,
      phase: 'load',
      subject: `${r.namespace}/${r.deployment}`,
      data: { scenario: r.name, title: SCENARIOS[r.name].title, ...(c.data ?? {}) },
    }),
  );
}
