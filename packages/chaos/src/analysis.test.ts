import type { EvidenceEvent } from '@stackproof/core';
import type { TimelinePoint } from '@stackproof/load';
import { describe, expect, it } from 'vitest';
import { buildTimeline, type MeasureInput, measureRun } from './analysis.ts';
import { CHAOS_DEFAULTS, type ChaosExpectations } from './chaos-expectations.ts';
import type { Experiment } from './experiments.ts';
import type { ClusterSample } from './observe/cluster-observer.ts';
import type { SqlProbeSample } from './observe/sql-probe.ts';

// The measures on a run shaped like the sandbox's zone loss: three backend and three frontend
// endpoints, one of each on node a0; t0 at 100 s; the endpoints on a0 leave at 117 s; a
// replacement is ready at 130 s; the rollback starts at 160 s. Each measure has a twin that breaks.

const t0 = 100_000;
const expectations: ChaosExpectations = {
  ...CHAOS_DEFAULTS,
  errorBudget: 0.3,
  detectSeconds: 30,
  recoverSeconds: 60,
  rdsDowntimeSeconds: 10,
  steady: { ...CHAOS_DEFAULTS.steady, rate: 10 },
};
const experiment: Experiment = {
  name: 'az-outage',
  description: 'test',
  faults: [],
  zones: ['a'],
  detect: { nodes: ['a0'] },
  databaseFailover: true,
  properties: {
    detect: 'eks.nodegroup-multi-az',
    recover: 'k8s.topology-spread-zone',
    requestsFailed: 'k8s.topology-spread-zone',
    rdsDowntime: 'rds.multi-az',
  },
};

function sample(t: number, nodes: string[]): ClusterSample {
  const service = { ready: nodes.length, byZone: {}, nodes, pods: nodes.map((n) => `pod-${n}`) };
  return {
    t,
    endpoints: { backend: service, frontend: service },
    nodes: {},
    deployments: {},
    podsByZone: {},
  };
}

function load(failed: (t: number) => number): TimelinePoint[] {
  const points: TimelinePoint[] = [];
  for (let t = 90; t <= 165; t++) {
    points.push({
      t,
      offset: t - 90,
      phase: 'az-outage',
      requests: 10,
      failed: failed(t),
      p50Ms: 5,
      p95Ms: 20,
      dropped: 0,
      desired: null,
      current: null,
      ready: null,
      minReplicas: null,
      maxReplicas: null,
      cpuMillicores: null,
      utilization: null,
      podsWithMetrics: null,
      podCpuMillicores: {},
    });
  }
  return points;
}

function sql(failing: (t: number) => boolean): SqlProbeSample[] {
  const out: SqlProbeSample[] = [];
  for (let t = 90; t <= 165; t++) {
    const ok = !failing(t);
    out.push(
      ok
        ? { t: t * 1000, ok, ms: 3, server: t < 101 ? '127.0.0.1:1' : '127.0.0.1:2' }
        : { t: t * 1000, ok, ms: 2000, error: 'read ECONNRESET' },
    );
  }
  return out;
}

const healthy: MeasureInput = {
  experiment,
  expectations,
  availabilitySlo: 0.99,
  moments: { t0, rollbackStartedAt: 160_000, rolledBackAt: 161_000 },
  cluster: [
    sample(90_000, ['a0', 'b0', 'c0']),
    sample(117_000, ['b0', 'c0']),
    sample(130_000, ['b0', 'c0', 'b1']),
  ],
  // 4 of 10 fail while a0's endpoints are still listed; one stray failure later on.
  load: load((t) => (t >= 100 && t <= 116 ? 4 : t === 150 ? 1 : 0)),
  sql: sql((t) => t === 101 || t === 102),
  subject: 'az-outage a',
  sqlProbed: true,
};

const byCheck = (events: readonly EvidenceEvent[], check: string) =>
  events.find((e) => e.check === check);

describe('measures of a chaos run', () => {
  it('time to detect, time to recover, requests failed and database downtime, each with its property and bound', () => {
    const m = measureRun(healthy);
    expect(m.detectedAfterSeconds).toBe(17);
    // Endpoints back at 130 s; from then on 1 failed of 300 (0.3%, under the 1% steady budget).
    expect(m.recoveredAfterSeconds).toBe(30);
    expect(m.rdsDowntimeSeconds).toBe(2);
    expect(byCheck(m.evidence, 'time-to-detect')).toMatchObject({
      property: 'eks.nodegroup-multi-az',
      phase: 'chaos',
      status: 'pass',
      measure: { value: 17, unit: 's', bound: { op: '<=', limit: 30 } },
    });
    expect(byCheck(m.evidence, 'time-to-recover')).toMatchObject({
      property: 'k8s.topology-spread-zone',
      status: 'pass',
      measure: { value: 30, bound: { limit: 60 } },
    });
    expect(byCheck(m.evidence, 'requests-failed')).toMatchObject({
      property: 'k8s.topology-spread-zone',
      status: 'pass',
      data: { failed: 69, requests: 620 },
    });
    expect(byCheck(m.evidence, 'rds-downtime')).toMatchObject({
      property: 'rds.multi-az',
      status: 'pass',
      measure: { value: 2 },
      data: { failedProbes: 2, serverBefore: '127.0.0.1:1', serverAfter: '127.0.0.1:2' },
    });
  });

  it('fails recovery when the endpoints never come back (all replicas were in the lost zone)', () => {
    const m = measureRun({
      ...healthy,
      cluster: [sample(90_000, ['a0', 'a1', 'a2']), sample(117_000, [])],
      load: load((t) => (t >= 100 ? 10 : 0)),
    });
    const recover = byCheck(m.evidence, 'time-to-recover');
    expect(recover).toMatchObject({ property: 'k8s.topology-spread-zone', status: 'fail' });
    expect(recover?.detail).toMatch(/not recovered when the rollback started, 60 s after t0/);
    expect(byCheck(m.evidence, 'requests-failed')?.status).toBe('fail');
  });

  it('does not call it recovered while errors stay above the steady budget after the endpoints are back', () => {
    const m = measureRun({ ...healthy, load: load((t) => (t >= 100 && t < 158 ? 1 : 0)) });
    // From 130 s: 28 of 300 failed (9%), far over 1%: recovery comes only at the very end.
    expect(m.recoveredAfterSeconds).toBe(58);
    expect(byCheck(m.evidence, 'time-to-recover')?.status).toBe('pass');
    const strict = measureRun({
      ...healthy,
      expectations: { ...expectations, recoverSeconds: 45 },
      load: load((t) => (t >= 100 && t < 158 ? 1 : 0)),
    });
    expect(byCheck(strict.evidence, 'time-to-recover')?.status).toBe('fail');
  });

  it('fails detection when the endpoints on the lost nodes are still listed at the rollback', () => {
    const m = measureRun({
      ...healthy,
      cluster: [sample(90_000, ['a0', 'b0', 'c0'])],
    });
    expect(byCheck(m.evidence, 'time-to-detect')).toMatchObject({
      status: 'fail',
      expected: 'time to detect <= 30 s',
    });
    expect(m.detectedAfterSeconds).toBeUndefined();
  });

  it('skips detection, saying why, when nothing ran on the lost nodes', () => {
    const m = measureRun({ ...healthy, cluster: [sample(90_000, ['b0', 'c0'])] });
    expect(byCheck(m.evidence, 'time-to-detect')).toMatchObject({ status: 'skipped' });
  });

  it('fails the database measure when the probe never succeeds again, and skips it without a probe', () => {
    const down = measureRun({ ...healthy, sql: sql((t) => t >= 101) });
    expect(byCheck(down.evidence, 'rds-downtime')).toMatchObject({
      status: 'fail',
      property: 'rds.multi-az',
    });
    const none = measureRun({ ...healthy, sqlProbed: false, sql: [] });
    expect(byCheck(none.evidence, 'rds-downtime')?.status).toBe('skipped');
  });

  it('lines every series up on one clock, one point a second', () => {
    const timeline = buildTimeline({
      startMs: 90_000,
      endMs: 165_500,
      load: healthy.load,
      cluster: healthy.cluster,
      sql: healthy.sql,
      faults: [],
      events: [{ at: t0, what: 'injected' }],
    });
    expect(timeline.points).toHaveLength(76);
    const at = (t: number) => timeline.points.find((p) => p.t === t);
    expect(at(105)).toMatchObject({
      requests: 10,
      failed: 4,
      endpoints: { backend: 3 },
      sqlOk: true,
    });
    expect(at(101)).toMatchObject({ sqlOk: false, sqlServer: null });
    expect(at(120)?.endpoints).toEqual({ backend: 2, frontend: 2 });
  });
});
