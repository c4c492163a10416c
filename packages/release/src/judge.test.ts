import { describe, expect, it } from 'vitest';
import type { DeploymentState, PodState, ReplicaSetState } from './cluster.ts';
import type { DeployOutcome } from './deploy.ts';
import type { HelmRevision } from './helm.ts';
import {
  floorHeldCheck,
  judgeScenario,
  type LoadNumbers,
  RELEASE_PROPERTY,
  type ScenarioRecord,
  zeroFailedCheck,
} from './judge.ts';
import type { RolloutSummary } from './rollout-observer.ts';

// Records shaped like what the sandbox proof observes (release-sandbox.test.ts runs the real
// thing); here each check is shown to pass on a healthy record and to fail, or stay unknown, on
// a record that differs in the one fact the check is about.

const T0 = 1_800_000_000_000;

const pod = (name: string, hash: string, extra: Partial<PodState> = {}): PodState => ({
  name,
  uid: `uid-${name}`,
  hash,
  phase: 'Running',
  ready: true,
  restarts: 0,
  deleting: false,
  ...extra,
});

const rs = (
  hash: string,
  revision: number,
  replicas: number,
  ready = replicas,
): ReplicaSetState => ({
  name: `backend-${hash}`,
  hash,
  revision,
  replicas,
  readyReplicas: ready,
});

function state(
  revision: number,
  activeHash: string,
  sets: ReplicaSetState[],
  pods: PodState[],
): DeploymentState {
  return {
    namespace: 'stackproof',
    name: 'stackproof-backend',
    revision,
    replicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    updatedReplicas: 3,
    selector: { 'app.kubernetes.io/component': 'backend' },
    maxUnavailable: '0',
    maxSurge: '25%',
    activeHash,
    replicaSets: sets,
    pods,
  };
}

const oldPods = [
  pod('backend-aaa-1', 'aaa'),
  pod('backend-aaa-2', 'aaa'),
  pod('backend-aaa-3', 'aaa'),
];
const newPods = [
  pod('backend-bbb-1', 'bbb'),
  pod('backend-bbb-2', 'bbb'),
  pod('backend-bbb-3', 'bbb'),
];

const helm = (revision: number, status: string, description: string): HelmRevision => ({
  revision,
  updated: '',
  status,
  chart: 'stackproof-workloads-0.1.0',
  appVersion: '0.1.0',
  description,
});

const load = (extra: Partial<LoadNumbers> = {}): LoadNumbers => ({
  requests: 1200,
  failed: 0,
  duringRelease: { requests: 160, failed: 0 },
  coveredRelease: true,
  p95Ms: 40,
  loadStartedAtMs: T0,
  loadEndedAtMs: T0 + 60_000,
  outDir: '/tmp/load',
  ...extra,
});

const rollout = (extra: Partial<RolloutSummary> = {}): RolloutSummary => ({
  watchErrors: [],
  deploymentUpdates: 12,
  minAvailable: { available: 3, replicas: 3 },
  belowFloor: [],
  pdbUpdates: 6,
  pdbViolations: [],
  replicaSets: [],
  initialReadyPods: oldPods.map((p) => p.name),
  podsDeleted: [],
  podsCreated: [],
  ...extra,
});

const outcome = (extra: Partial<DeployOutcome>): DeployOutcome => ({
  release: 'stackproof',
  namespace: 'stackproof',
  status: 'deployed',
  firstInstall: false,
  migrations: { job: 'stackproof-migrations', status: 'succeeded', durationMs: 1500, attempts: 1 },
  upgrade: { exitCode: 0, durationMs: 6000, rolledBack: false, outputTail: '' },
  revisionBefore: 4,
  revisionAfter: 5,
  startedAt: new Date(T0 + 10_000).toISOString(),
  durationMs: 7500,
  ...extra,
});

function goodRecord(): ScenarioRecord {
  return {
    name: 'good-release',
    namespace: 'stackproof',
    deployment: 'stackproof-backend',
    imageTag: 'proof-1',
    timeoutSeconds: 300,
    outcome: outcome({}),
    releaseStartedAtMs: T0 + 10_000,
    releaseEndedAtMs: T0 + 18_000,
    before: state(4, 'aaa', [rs('aaa', 4, 3)], oldPods),
    after: state(5, 'bbb', [rs('aaa', 4, 0), rs('bbb', 5, 3)], newPods),
    historyBefore: [helm(4, 'deployed', 'Upgrade complete')],
    historyAfter: [
      helm(4, 'superseded', 'Upgrade complete'),
      helm(5, 'deployed', 'Upgrade complete'),
    ],
    rollout: rollout({
      replicaSets: [
        { ...rs('aaa', 4, 0), maxReady: 3, new: false },
        { ...rs('bbb', 5, 3), maxReady: 3, new: true },
      ],
      podsDeleted: oldPods.map((p, i) => ({ name: p.name, hash: 'aaa', atMs: T0 + 12_000 + i })),
      podsCreated: newPods.map((p, i) => ({
        name: p.name,
        hash: 'bbb',
        atMs: T0 + 11_000 + i,
        readyAtMs: T0 + 12_000 + i,
        maxRestarts: 0,
      })),
    }),
    load: load(),
  };
}

function badRecord(): ScenarioRecord {
  return {
    ...goodRecord(),
    name: 'bad-release',
    timeoutSeconds: 45,
    outcome: outcome({
      status: 'rolled-back',
      upgrade: {
        exitCode: 1,
        durationMs: 47_000,
        rolledBack: true,
        rollbackStartedAfterMs: 45_200,
        outputTail:
          'Error: UPGRADE FAILED: release stackproof failed, and has been rolled back due to atomic being set',
      },
      revisionAfter: 6,
    }),
    releaseEndedAtMs: T0 + 60_000,
    after: state(6, 'aaa', [rs('aaa', 6, 3), rs('ccc', 5, 0)], oldPods),
    historyAfter: [
      helm(4, 'superseded', 'Upgrade complete'),
      helm(5, 'failed', 'Upgrade "stackproof" failed: context deadline exceeded'),
      helm(6, 'deployed', 'Rollback to 4'),
    ],
    rollout: rollout({
      replicaSets: [
        { ...rs('aaa', 6, 3), maxReady: 3, new: false },
        { ...rs('ccc', 5, 0), maxReady: 0, new: true },
      ],
      podsDeleted: [{ name: 'backend-ccc-1', hash: 'ccc', atMs: T0 + 56_000 }],
      podsCreated: [
        { name: 'backend-ccc-1', hash: 'ccc', atMs: T0 + 11_000, readyAtMs: null, maxRestarts: 4 },
      ],
    }),
    load: load({ loadEndedAtMs: T0 + 80_000 }),
  };
}

function failedMigrationRecord(): ScenarioRecord {
  const before = state(6, 'aaa', [rs('aaa', 6, 3), rs('ccc', 5, 0)], oldPods);
  return {
    ...goodRecord(),
    name: 'failed-migration',
    outcome: outcome({
      status: 'migrations-failed',
      migrations: {
        job: 'stackproof-migrations',
        status: 'failed',
        durationMs: 80_000,
        attempts: 4,
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      },
      revisionAfter: 6,
    }),
    releaseEndedAtMs: T0 + 90_000,
    before,
    after: before,
    historyBefore: [helm(6, 'deployed', 'Rollback to 4')],
    historyAfter: [helm(6, 'deployed', 'Rollback to 4')],
    rollout: rollout({ replicaSets: [{ ...rs('aaa', 6, 3), maxReady: 3, new: false }] }),
    load: load({ loadEndedAtMs: T0 + 110_000 }),
    forgottenMigration: '1732300000000_create-items',
  };
}

const { upgrade: _unused, ...withoutUpgrade } = failedMigrationRecord().outcome;

const statuses = (record: ScenarioRecord) =>
  Object.fromEntries(judgeScenario(record).map((e) => [e.check, e.status]));

describe('zeroFailedCheck', () => {
  it('passes on zero failed requests and names the requests served while the release ran', () => {
    const check = zeroFailedCheck('x', load());
    expect(check.status).toBe('pass');
    expect(check.detail).toContain('160 of them while the release ran');
  });

  it('negative twin: one failed request fails it', () => {
    const check = zeroFailedCheck(
      'x',
      load({ failed: 1, duringRelease: { requests: 160, failed: 1 } }),
    );
    expect(check.status).toBe('fail');
    expect(check.measure).toMatchObject({ value: 1, bound: { op: '<=', limit: 0 } });
  });

  it('a load that did not cover the release proves nothing: unknown, never a pass', () => {
    expect(zeroFailedCheck('x', load({ coveredRelease: false })).status).toBe('unknown');
  });
});

describe('floorHeldCheck', () => {
  it('passes when available replicas and the PDB never dipped', () => {
    expect(floorHeldCheck('x', rollout()).status).toBe('pass');
  });

  it('negative twins: available below the replica count, or a PDB short of healthy pods, fail it', () => {
    const below = floorHeldCheck(
      'x',
      rollout({
        minAvailable: { available: 0, replicas: 3 },
        belowFloor: [{ atMs: T0, available: 0, replicas: 3 }],
      }),
    );
    expect(below.status).toBe('fail');
    expect(below.detail).toContain('available replicas fell to 0 of 3');
    const pdb = floorHeldCheck(
      'x',
      rollout({ pdbViolations: [{ atMs: T0, currentHealthy: 1, desiredHealthy: 2 }] }),
    );
    expect(pdb.status).toBe('fail');
  });

  it('a watch that failed leaves a gap: unknown', () => {
    expect(floorHeldCheck('x', rollout({ watchErrors: ['connection reset'] })).status).toBe(
      'unknown',
    );
  });
});

describe('judgeScenario', () => {
  it('a good release: deployed, revision +1 on a new ReplicaSet, zero failed, floor held', () => {
    const events = judgeScenario(goodRecord());
    expect(events.map((e) => [e.check, e.status])).toEqual([
      ['good-release-deployed', 'pass'],
      ['good-release-revision', 'pass'],
      ['good-release-zero-failed', 'pass'],
      ['good-release-floor-held', 'pass'],
    ]);
    expect(events.every((e) => e.property === RELEASE_PROPERTY && e.phase === 'load')).toBe(true);
    expect(events[0]?.subject).toBe('stackproof/stackproof-backend');
  });

  it('negative twins of the good release: an old ReplicaSet still scaled up, a Helm revision not deployed', () => {
    const r = goodRecord();
    const leftover = {
      ...r,
      after: { ...r.after, replicaSets: [rs('aaa', 4, 1), rs('bbb', 5, 3)] },
    };
    expect(statuses(leftover)['good-release-revision']).toBe('fail');
    const rolledBack = { ...r, outcome: outcome({ status: 'rolled-back' }) };
    expect(statuses(rolledBack)['good-release-deployed']).toBe('fail');
  });

  it('a bad release: --atomic rolled back within timeout + bound, the old ReplicaSet serves again', () => {
    const events = judgeScenario(badRecord());
    expect(events.map((e) => [e.check, e.status])).toEqual([
      ['bad-release-rolled-back', 'pass'],
      ['bad-release-revision', 'pass'],
      ['bad-release-zero-failed', 'pass'],
      ['bad-release-floor-held', 'pass'],
    ]);
    expect(events[0]?.detail).toContain('the rollback 1.8 s');
  });

  it('negative twins of the bad release: no rollback in Helm, a bad pod that got ready, an old pod that restarted, too slow', () => {
    const r = badRecord();
    const noRollback = {
      ...r,
      historyAfter: [
        helm(4, 'superseded', 'Upgrade complete'),
        helm(5, 'deployed', 'Upgrade complete'),
      ],
    };
    expect(statuses(noRollback)['bad-release-rolled-back']).toBe('fail');
    const gotReady = {
      ...r,
      rollout: { ...r.rollout, replicaSets: [{ ...rs('ccc', 5, 0), maxReady: 1, new: true }] },
    };
    expect(statuses(gotReady)['bad-release-revision']).toBe('fail');
    const restarted = {
      ...r,
      after: {
        ...r.after,
        pods: [pod('backend-aaa-1', 'aaa', { restarts: 1 }), ...oldPods.slice(1)],
      },
    };
    expect(statuses(restarted)['bad-release-revision']).toBe('fail');
    const slow = {
      ...r,
      outcome: outcome({
        ...r.outcome,
        upgrade: {
          ...(r.outcome.upgrade as NonNullable<DeployOutcome['upgrade']>),
          durationMs: 200_000,
        },
      }),
    };
    expect(statuses(slow)['bad-release-rolled-back']).toBe('fail');
  });

  it('a failed migration: the release stopped before helm, nothing changed, zero failed', () => {
    const r = { ...failedMigrationRecord(), outcome: withoutUpgrade };
    expect(statuses(r)).toEqual({
      'failed-migration-stops-release': 'pass',
      'failed-migration-nothing-changed': 'pass',
      'failed-migration-zero-failed': 'pass',
    });
  });

  it('negative twins of the failed migration: helm ran anyway, a pod was replaced', () => {
    const r = failedMigrationRecord();
    expect(statuses(r)['failed-migration-stops-release']).toBe('fail');
    const replaced = {
      ...r,
      outcome: withoutUpgrade,
      rollout: {
        ...r.rollout,
        podsCreated: [{ name: 'x', hash: 'ddd', atMs: T0, readyAtMs: T0, maxRestarts: 0 }],
      },
    };
    expect(statuses(replaced)['failed-migration-nothing-changed']).toBe('fail');
  });

  it('the unsafe-strategy control passes only when the zero-failed check fails', () => {
    const control: ScenarioRecord = {
      ...goodRecord(),
      name: 'unsafe-strategy',
      load: load({ failed: 32, duringRelease: { requests: 40, failed: 32 } }),
    };
    const [caught] = judgeScenario(control);
    expect(caught?.check).toBe('unsafe-strategy-is-caught');
    expect(caught?.status).toBe('pass');
    // The same numbers through the check every real release is held to: it fails.
    expect(zeroFailedCheck('good-release-zero-failed', control.load).status).toBe('fail');
    // Negative twin: a control that failed nothing means the check cannot tell safe from unsafe.
    expect(judgeScenario({ ...control, load: load() })[0]?.status).toBe('fail');
  });
});
