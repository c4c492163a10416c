import { type EvidenceEvent, evidence, measuredEvidence } from '@stackproof/core';
import type { TimelinePoint } from '@stackproof/load';
import type { ChaosExpectations } from './chaos-expectations.ts';
import type { Experiment } from './experiments.ts';
import type { FaultRecord } from './faults/fault.ts';
import type { ClusterSample } from './observe/cluster-observer.ts';
import type { SqlProbeSample } from './observe/sql-probe.ts';

/** One fault of a run, with the moments of its life (Unix ms). */
export interface FaultWindow {
  readonly id: string;
  readonly kind: string;
  readonly target: string;
  /** The `inject` entry is on disk. */
  readonly journaledAt: number;
  readonly injectedAt?: number;
  /** What the injection changed (the fault's record, with what only the injection learns). */
  readonly record?: FaultRecord;
  readonly injectError?: string;
  readonly rollbackStartedAt?: number;
  readonly rolledBackAt?: number;
  readonly rollbackError?: string;
}

/** One second of a run: load, database probe and cluster, on the host's clock. */
export interface ChaosTimelinePoint {
  /** Unix seconds (start of the second). */
  readonly t: number;
  /** Seconds since the steady load started. */
  readonly offset: number;
  readonly requests: number;
  readonly failed: number;
  readonly p95Ms: number | null;
  /** The SQL probe of that second: true, false, or null when none ran in it. */
  readonly sqlOk: boolean | null;
  readonly sqlMs: number | null;
  readonly sqlServer: string | null;
  /** Ready endpoints per Service at the end of the second. */
  readonly endpoints: Readonly<Record<string, number>>;
  /** Ready endpoints per Service and zone (where the pods run). */
  readonly endpointsByZone: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Ready nodes per zone. */
  readonly nodesReady: Readonly<Record<string, number>>;
  /** Ready replicas per Deployment. */
  readonly replicasReady: Readonly<Record<string, number>>;
  /** Ready pods of the workloads' namespace per zone. */
  readonly podsByZone: Readonly<Record<string, number>>;
}

export interface ChaosEvent {
  /** Unix ms. */
  readonly at: number;
  readonly what: string;
}

/** `timeline.json`: everything a run saw, one clock. */
export interface ChaosTimeline {
  readonly startMs: number;
  readonly endMs: number;
  readonly points: readonly ChaosTimelinePoint[];
  readonly faults: readonly FaultWindow[];
  readonly events: readonly ChaosEvent[];
  readonly sqlProbe: readonly SqlProbeSample[];
}

/** The cluster sample in effect at `t` (the last one taken at or before it). */
function sampleAt(samples: readonly ClusterSample[], t: number): ClusterSample | undefined {
  let found: ClusterSample | undefined;
  for (const s of samples) {
    if (s.t > t) break;
    found = s;
  }
  return found;
}

export function buildTimeline(input: {
  readonly startMs: number;
  readonly endMs: number;
  readonly load: readonly TimelinePoint[];
  readonly cluster: readonly ClusterSample[];
  readonly sql: readonly SqlProbeSample[];
  readonly faults: readonly FaultWindow[];
  readonly events: readonly ChaosEvent[];
}): ChaosTimeline {
  const loadBySecond = new Map(input.load.map((p) => [p.t, p]));
  const sqlBySecond = new Map<number, SqlProbeSample>();
  for (const s of input.sql) sqlBySecond.set(Math.floor(s.t / 1000), s);
  const first = Math.floor(input.startMs / 1000);
  const last = Math.floor(input.endMs / 1000);
  const points: ChaosTimelinePoint[] = [];
  for (let t = first; t <= last; t++) {
    const load = loadBySecond.get(t);
    const sql = sqlBySecond.get(t);
    const c = sampleAt(input.cluster, t * 1000 + 999);
    points.push({
      t,
      offset: t - first,
      requests: load?.requests ?? 0,
      failed: load?.failed ?? 0,
      p95Ms: load?.p95Ms ?? null,
      sqlOk: sql === undefined ? null : sql.ok,
      sqlMs: sql === undefined ? null : sql.ms,
      sqlServer: sql?.server ?? null,
      endpoints: Object.fromEntries(
        Object.entries(c?.endpoints ?? {}).map(([k, v]) => [k, v.ready]),
      ),
      endpointsByZone: Object.fromEntries(
        Object.entries(c?.endpoints ?? {}).map(([k, v]) => [k, v.byZone]),
      ),
      nodesReady: Object.fromEntries(Object.entries(c?.nodes ?? {}).map(([k, v]) => [k, v.ready])),
      replicasReady: Object.fromEntries(
        Object.entries(c?.deployments ?? {}).map(([k, v]) => [k, v.ready]),
      ),
      podsByZone: c?.podsByZone ?? {},
    });
  }
  return {
    startMs: input.startMs,
    endMs: input.endMs,
    points,
    faults: input.faults,
    events: [...input.events].sort((a, b) => a.at - b.at),
    sqlProbe: input.sql,
  };
}

/** The moments every measure is taken against (Unix ms). */
export interface RunMoments {
  /** The first injection started: the experiment's t0. */
  readonly t0: number;
  /** The rollback of the first fault started (the end of the fault window). */
  readonly rollbackStartedAt: number;
  /** The last rollback ended. */
  readonly rolledBackAt: number;
}

export interface MeasureInput {
  readonly experiment: Experiment;
  readonly expectations: ChaosExpectations;
  /** The stack's availability SLO: the steady error budget recovery is judged against. */
  readonly availabilitySlo: number;
  readonly moments: RunMoments;
  readonly cluster: readonly ClusterSample[];
  readonly load: readonly TimelinePoint[];
  readonly sql: readonly SqlProbeSample[];
  /** What the run acted on, for the evidence's subject (`az-outage me-central-1a`). */
  readonly subject: string;
  /** Whether the SQL probe ran (no database URL: the downtime measure is skipped). */
  readonly sqlProbed: boolean;
}

export interface Measured {
  readonly evidence: EvidenceEvent[];
  /** Seconds after t0, undefined when it did not happen in the fault window. */
  readonly detectedAfterSeconds?: number;
  readonly recoveredAfterSeconds?: number;
  readonly rdsDowntimeSeconds?: number;
  readonly failedShare?: number;
}

const round = (value: number, digits = 2): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

/** Endpoints that still sit on what failed (the nodes or the pods), per affected Service. */
function stillOnFailed(sample: ClusterSample, experiment: Experiment): number {
  const nodes = new Set(experiment.detect?.nodes ?? []);
  const pods = new Set(experiment.detect?.pods ?? []);
  let count = 0;
  for (const service of Object.values(sample.endpoints)) {
    count += service.nodes.filter((n) => nodes.has(n)).length;
    count += service.pods.filter((p) => pods.has(p)).length;
  }
  return count;
}

function measureDetection(input: MeasureInput, out: EvidenceEvent[]): number | undefined {
  const { experiment, moments, cluster } = input;
  const property = experiment.properties.detect;
  if (property === undefined || experiment.detect === undefined) return undefined;
  const before = sampleAt(cluster, moments.t0);
  const bound = { op: '<=' as const, limit: input.expectations.detectSeconds };
  const what =
    experiment.detect.nodes !== undefined
      ? `node(s) ${experiment.detect.nodes.join(', ')}`
      : `pod(s) ${(experiment.detect.pods ?? []).join(', ')}`;
  if (before === undefined || stillOnFailed(before, experiment) === 0) {
    out.push(
      evidence({
        property,
        phase: 'chaos',
        status: 'skipped',
        check: 'time-to-detect',
        subject: input.subject,
        detail: `no ready endpoint ran on ${what} before the fault: nothing to detect`,
      }),
    );
    return undefined;
  }
  const detected = cluster.find(
    (s) =>
      s.t >= moments.t0 && s.t <= moments.rollbackStartedAt && stillOnFailed(s, experiment) === 0,
  );
  const data = { endpointsBefore: stillOnFailed(before, experiment) };
  if (detected === undefined) {
    // Never detected is a failure whatever the bound: the window's length is no measure of it.
    const windowSeconds = round((moments.rollbackStartedAt - moments.t0) / 1000);
    out.push(
      evidence({
        property,
        phase: 'chaos',
        status: 'fail',
        check: 'time-to-detect',
        subject: input.subject,
        detail: `endpoints on ${what} were still ready when the rollback started, ${windowSeconds} s after t0`,
        expected: `time to detect <= ${bound.limit} s`,
        measure: { name: 'time to detect', value: windowSeconds, unit: 's', bound },
        data,
      }),
    );
    return undefined;
  }
  const seconds = round((detected.t - moments.t0) / 1000);
  out.push(
    measuredEvidence({
      property,
      phase: 'chaos',
      check: 'time-to-detect',
      subject: input.subject,
      detail: `the endpoints on ${what} left the EndpointSlices`,
      measure: { name: 'time to detect', value: seconds, unit: 's', bound },
      data,
    }),
  );
  return seconds;
}

function measureRecovery(input: MeasureInput, out: EvidenceEvent[]): number | undefined {
  const { experiment, moments, cluster, load, expectations } = input;
  const before = sampleAt(cluster, moments.t0);
  const baseline = Object.fromEntries(
    Object.entries(before?.endpoints ?? {}).map(([k, v]) => [k, v.ready]),
  );
  const steadyBudget = Math.max(0, 1 - input.availabilitySlo);
  const endS = Math.floor(moments.rollbackStartedAt / 1000);
  const seconds = load.filter((p) => p.t >= Math.floor(moments.t0 / 1000) && p.t < endS);
  // Suffix sums: from second i to the end of the fault window.
  const suffix: { requests: number; failed: number }[] = [];
  let requests = 0;
  let failed = 0;
  for (let i = seconds.length - 1; i >= 0; i--) {
    requests += seconds[i]?.requests ?? 0;
    failed += seconds[i]?.failed ?? 0;
    suffix[i] = { requests, failed };
  }
  const endpointsBack = (s: ClusterSample): boolean =>
    Object.entries(baseline).every(([svc, n]) => (s.endpoints[svc]?.ready ?? 0) >= n);
  // The endpoints must be back from t on, until the rollback started.
  const window = cluster.filter((s) => s.t <= moments.rollbackStartedAt);
  let backSince: number | undefined;
  for (const s of window) {
    if (s.t < moments.t0) continue;
    if (endpointsBack(s)) backSince ??= s.t;
    else backSince = undefined;
  }
  let recoveredAt: number | undefined;
  if (backSince !== undefined) {
    for (const [i, point] of seconds.entries()) {
      const t = point.t * 1000;
      const rest = suffix[i];
      if (t + 999 < backSince || rest === undefined || rest.requests === 0) continue;
      if (rest.failed <= steadyBudget * rest.requests) {
        recoveredAt = Math.max(t, backSince);
        break;
      }
    }
  }
  const expected = Object.entries(baseline)
    .map(([svc, n]) => `${svc} ${n}`)
    .join(', ');
  const budgetText = `${round(steadyBudget * 100, 3)}%`;
  const bound = { op: '<=' as const, limit: expectations.recoverSeconds };
  if (recoveredAt === undefined) {
    const windowSeconds = round((moments.rollbackStartedAt - moments.t0) / 1000);
    out.push(
      evidence({
        property: experiment.properties.recover,
        phase: 'chaos',
        status: 'fail',
        check: 'time-to-recover',
        subject: input.subject,
        detail: `not recovered when the rollback started, ${windowSeconds} s after t0 (ready endpoints back at ${expected || 'their count before'} and errors under ${budgetText} from then on)`,
        expected: `time to recover <= ${bound.limit} s`,
        measure: { name: 'time to recover', value: windowSeconds, unit: 's', bound },
        data: { readyEndpointsBefore: baseline },
      }),
    );
    return undefined;
  }
  const value = round((recoveredAt - moments.t0) / 1000);
  out.push(
    measuredEvidence({
      property: experiment.properties.recover,
      phase: 'chaos',
      check: 'time-to-recover',
      subject: input.subject,
      detail: `ready endpoints back at their count before the fault (${expected}) and errors under ${budgetText} from then on`,
      measure: { name: 'time to recover', value, unit: 's', bound },
      data: { readyEndpointsBefore: baseline },
    }),
  );
  return value;
}

function measureRequestsFailed(input: MeasureInput, out: EvidenceEvent[]): number | undefined {
  const { moments, load, expectations, experiment } = input;
  const from = Math.floor(moments.t0 / 1000);
  const to = Math.floor(moments.rolledBackAt / 1000);
  const inWindow = load.filter((p) => p.t >= from && p.t <= to);
  const requests = inWindow.reduce((n, p) => n + p.requests, 0);
  const failed = inWindow.reduce((n, p) => n + p.failed, 0);
  if (requests === 0) {
    out.push(
      evidence({
        property: experiment.properties.requestsFailed,
        phase: 'chaos',
        status: 'fail',
        check: 'requests-failed',
        subject: input.subject,
        detail: 'the steady load sent no request in the fault window',
        expected: 'steady load through the whole fault window',
      }),
    );
    return undefined;
  }
  const share = failed / requests;
  out.push(
    measuredEvidence({
      property: experiment.properties.requestsFailed,
      phase: 'chaos',
      check: 'requests-failed',
      subject: input.subject,
      detail: `${failed} of ${requests} requests failed in the fault window (the error budget spent)`,
      measure: {
        name: 'share of requests failed',
        value: round(share, 4),
        unit: 'ratio',
        bound: { op: '<=', limit: expectations.errorBudget },
      },
      data: { failed, requests },
    }),
  );
  return share;
}

function measureRdsDowntime(input: MeasureInput, out: EvidenceEvent[]): number | undefined {
  const { experiment, moments, sql, expectations } = input;
  const property = experiment.properties.rdsDowntime;
  if (property === undefined || !experiment.databaseFailover) return undefined;
  if (!input.sqlProbed) {
    out.push(
      evidence({
        property,
        phase: 'chaos',
        status: 'skipped',
        check: 'rds-downtime',
        subject: input.subject,
        detail:
          'no SQL probe ran (no database URL: pass --database-url); the downtime is measured only from the probe, never from DescribeDBInstances',
      }),
    );
    return undefined;
  }
  // A probe that started up to a second before t0 may be the first to see the outage.
  const after = sql.filter((s) => s.t >= moments.t0 - 1000);
  const firstFail = after.find((s) => !s.ok);
  const bound = { op: '<=' as const, limit: expectations.rdsDowntimeSeconds };
  const serverBefore = sql.filter((s) => s.t < moments.t0 && s.ok).at(-1)?.server ?? null;
  if (firstFail === undefined) {
    out.push(
      measuredEvidence({
        property,
        phase: 'chaos',
        check: 'rds-downtime',
        subject: input.subject,
        detail: `the SQL probe never failed (one query a second: an outage under a second can pass unseen); served by ${serverBefore ?? '?'} before and ${after.at(-1)?.server ?? '?'} after`,
        measure: { name: 'database downtime', value: 0, unit: 's', bound },
        data: { probes: after.length, serverBefore, serverAfter: after.at(-1)?.server ?? null },
      }),
    );
    return 0;
  }
  const firstOk = after.find((s) => s.t > firstFail.t && s.ok);
  const end = firstOk?.t ?? after.at(-1)?.t ?? firstFail.t;
  const downtime = round((end - firstFail.t) / 1000);
  const failedProbes =
    after.filter((s) => s.t >= firstFail.t && s.t < end && !s.ok).length +
    (firstOk === undefined ? 1 : 0);
  const data = {
    failedProbes,
    firstFailedAt: new Date(firstFail.t).toISOString(),
    serverBefore,
    serverAfter: firstOk?.server ?? null,
  };
  if (firstOk === undefined) {
    out.push(
      evidence({
        property,
        phase: 'chaos',
        status: 'fail',
        check: 'rds-downtime',
        subject: input.subject,
        detail: `the SQL probe failed from ${data.firstFailedAt} and never succeeded again (${firstFail.error ?? 'error'})`,
        expected: `database downtime <= ${bound.limit} s`,
        measure: { name: 'database downtime', value: downtime, unit: 's', bound },
        data,
      }),
    );
    return undefined;
  }
  out.push(
    measuredEvidence({
      property,
      phase: 'chaos',
      check: 'rds-downtime',
      subject: input.subject,
      detail: `first failed SQL probe to the first successful one (${failedProbes} failed; first error: ${firstFail.error ?? 'error'}); served by ${serverBefore ?? '?'} before, ${firstOk.server ?? '?'} after`,
      measure: { name: 'database downtime', value: downtime, unit: 's', bound },
      data,
    }),
  );
  return downtime;
}

/**
 * The run's measures as evidence, each with the property it exercises and its bound from the
 * expectations: time to detect (the failed nodes' or pods' endpoints leave the EndpointSlices),
 * time to recover (ready endpoints back at their count before the fault, and the error rate from
 * then on under the stack's steady budget, 1 - availabilitySlo), the share of requests failed in
 * the fault window (the error budget spent), and the database's downtime from the SQL probe.
 */
export function measureRun(input: MeasureInput): Measured {
  const out: EvidenceEvent[] = [];
  const detectedAfterSeconds = measureDetection(input, out);
  const recoveredAfterSeconds = measureRecovery(input, out);
  const failedShare = measureRequestsFailed(input, out);
  const rdsDowntimeSeconds = measureRdsDowntime(input, out);
  return {
    evidence: out,
    ...(detectedAfterSeconds === undefined ? {} : { detectedAfterSeconds }),
    ...(recoveredAfterSeconds === undefined ? {} : { recoveredAfterSeconds }),
    ...(failedShare === undefined ? {} : { failedShare }),
    ...(rdsDowntimeSeconds === undefined ? {} : { rdsDowntimeSeconds }),
  };
}
