import type { LoadPlan } from './k6-plan.ts';
import type { K6MetricType, K6Sample, SampleSink } from './k6-samples.ts';
import { k6Percentile } from './thresholds.ts';

/** The cluster gauges the scripts' sampler records (scripts/lib/cluster.ts), by timeline field. */
export const CLUSTER_METRICS = {
  desired: 'stackproof_hpa_desired_replicas',
  current: 'stackproof_hpa_current_replicas',
  ready: 'stackproof_deployment_ready_replicas',
  minReplicas: 'stackproof_hpa_min_replicas',
  maxReplicas: 'stackproof_hpa_max_replicas',
  cpuMillicores: 'stackproof_pods_cpu_millicores',
  utilization: 'stackproof_hpa_cpu_utilization',
  podsWithMetrics: 'stackproof_pods_with_metrics',
} as const;
export type ClusterField = keyof typeof CLUSTER_METRICS;
const FIELD_BY_METRIC = new Map<string, ClusterField>(
  Object.entries(CLUSTER_METRICS).map(([field, metric]) => [metric, field as ClusterField]),
);
const POD_CPU_METRIC = 'stackproof_pod_cpu_millicores';
const SAMPLE_ERRORS_METRIC = 'stackproof_cluster_sample_errors';

/** One second of a run: the load sent, what it got back, and the cluster, on one clock. */
export interface TimelinePoint {
  /** Unix seconds (start of the second). */
  readonly t: number;
  /** Seconds since the load started. */
  readonly offset: number;
  /** The planned phase this second belongs to (null after the last one). */
  readonly phase: string | null;
  /** Requests that completed in this second (= the rate achieved, req/s). */
  readonly requests: number;
  /** Of those, the ones k6 counted as failed (`http_req_failed`). */
  readonly failed: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  /** Iterations k6 could not start in time (too few VUs): load that was planned and not sent. */
  readonly dropped: number;
  /** Cluster gauges sampled in this second; null where no sample fell into it. */
  readonly desired: number | null;
  readonly current: number | null;
  readonly ready: number | null;
  readonly minReplicas: number | null;
  readonly maxReplicas: number | null;
  readonly cpuMillicores: number | null;
  readonly utilization: number | null;
  readonly podsWithMetrics: number | null;
  /** CPU per pod (millicores), showing how evenly the load is spread. */
  readonly podCpuMillicores: Readonly<Record<string, number>>;
}

export interface PhaseWindow {
  readonly name: string;
  /** Unix seconds (fractional), as measured from the run's start. */
  readonly from: number;
  readonly to: number;
  readonly fromRate: number;
  readonly toRate: number;
}

/** How regularly the cluster was sampled. */
export interface SamplingResolution {
  readonly samples: number;
  readonly medianIntervalSeconds: number | null;
  readonly maxIntervalSeconds: number | null;
  /** API reads that failed (counted by the sampler, never fatal to the load). */
  readonly errors: number;
}

export interface Timeline {
  /** Unix milliseconds of the load's start (first sample of a planned phase or of the sampler). */
  readonly startMs: number;
  readonly points: readonly TimelinePoint[];
  readonly phases: readonly PhaseWindow[];
  readonly sampling: SamplingResolution;
}

interface Bucket {
  requests: number;
  failed: number;
  durations: number[];
  dropped: number;
  cluster: Partial<Record<ClusterField, number>>;
  podCpu: Record<string, number>;
}

/**
 * Builds the per-second timeline from raw k6 samples of one or more processes. Every field of a
 * second comes from samples stamped in that second: nothing is interpolated, a second without a
 * cluster sample shows null, not the previous value.
 */
export class TimelineBuilder implements SampleSink {
  readonly #buckets = new Map<number, Bucket>();
  readonly #phaseNames: Set<string>;
  readonly #sampleTimes: number[] = [];
  #sampleErrors = 0;
  #startMs = Number.POSITIVE_INFINITY;

  constructor(phaseNames: Iterable<string>) {
    this.#phaseNames = new Set([...phaseNames, 'sampler']);
  }

  metricType(_name: string, _type: K6MetricType): void {}

  #bucket(timeMs: number): Bucket {
    const second = Math.floor(timeMs / 1000);
    let bucket = this.#buckets.get(second);
    if (bucket === undefined) {
      bucket = { requests: 0, failed: 0, durations: [], dropped: 0, cluster: {}, podCpu: {} };
      this.#buckets.set(second, bucket);
    }
    return bucket;
  }

  sample(s: K6Sample): void {
    // k6 tags dropped_iterations with the scenario only, not the scenario's tags: a phase's
    // scenario is named after the phase (scripts/lib/profiles.ts), so the name stands in
    const phase = s.tags.phase ?? s.tags.scenario;
    // setup()'s health check runs before the load: it is neither load nor the run's start
    if (phase === undefined || !this.#phaseNames.has(phase)) return;
    if (s.time < this.#startMs) this.#startMs = s.time;
    switch (s.metric) {
      case 'http_reqs':
        this.#bucket(s.time).requests += s.value;
        return;
      case 'http_req_failed':
        if (s.value !== 0) this.#bucket(s.time).failed++;
        return;
      case 'http_req_duration':
        this.#bucket(s.time).durations.push(s.value);
        return;
      case 'dropped_iterations':
        this.#bucket(s.time).dropped += s.value;
        return;
      case POD_CPU_METRIC: {
        const pod = s.tags.pod;
        if (pod !== undefined) this.#bucket(s.time).podCpu[pod] = s.value;
        return;
      }
      case SAMPLE_ERRORS_METRIC:
        this.#sampleErrors += s.value;
        return;
    }
    const field = FIELD_BY_METRIC.get(s.metric);
    if (field === undefined) return;
    this.#bucket(s.time).cluster[field] = s.value;
    if (field === 'desired') this.#sampleTimes.push(s.time);
  }

  /** Whether any sample of the load has been seen yet. */
  get started(): boolean {
    return Number.isFinite(this.#startMs);
  }

  build(plan: LoadPlan): Timeline {
    const startMs = this.started ? this.#startMs : 0;
    const startSecond = Math.floor(startMs / 1000);
    const seconds = [...this.#buckets.keys()];
    const lastSecond = Math.max(startSecond, ...seconds);
    const phases: PhaseWindow[] = plan.phases.map((p) => ({
      name: p.name,
      from: startMs / 1000 + p.startSeconds,
      to: startMs / 1000 + p.startSeconds + p.seconds,
      fromRate: p.fromRate,
      toRate: p.toRate,
    }));
    const phaseAt = (t: number): string | null =>
      phases.find((w) => t + 0.5 >= w.from && t + 0.5 < w.to)?.name ?? null;
    const points: TimelinePoint[] = [];
    for (let second = startSecond; second <= lastSecond; second++) {
      const b = this.#buckets.get(second);
      const sorted = b === undefined ? new Float64Array() : Float64Array.from(b.durations).sort();
      const gauge = (field: ClusterField): number | null => b?.cluster[field] ?? null;
      points.push({
        t: second,
        offset: second - startSecond,
        phase: phaseAt(second),
        requests: b?.requests ?? 0,
        failed: b?.failed ?? 0,
        p50Ms: sorted.length === 0 ? null : round(k6Percentile(sorted, 0.5)),
        p95Ms: sorted.length === 0 ? null : round(k6Percentile(sorted, 0.95)),
        dropped: b?.dropped ?? 0,
        desired: gauge('desired'),
        current: gauge('current'),
        ready: gauge('ready'),
        minReplicas: gauge('minReplicas'),
        maxReplicas: gauge('maxReplicas'),
        cpuMillicores:
          gauge('cpuMillicores') === null ? null : round(gauge('cpuMillicores') as number),
        utilization: gauge('utilization'),
        podsWithMetrics: gauge('podsWithMetrics'),
        podCpuMillicores: Object.fromEntries(
          Object.entries(b?.podCpu ?? {}).map(([k, v]) => [k, round(v)]),
        ),
      });
    }
    return { startMs, points, phases, sampling: this.#resolution() };
  }

  #resolution(): SamplingResolution {
    const times = [...this.#sampleTimes].sort((a, b) => a - b);
    const intervals = times.slice(1).map((t, i) => (t - (times[i] as number)) / 1000);
    const sorted = Float64Array.from(intervals).sort();
    return {
      samples: times.length,
      medianIntervalSeconds: sorted.length === 0 ? null : round(k6Percentile(sorted, 0.5), 3),
      maxIntervalSeconds:
        sorted.length === 0 ? null : round(sorted[sorted.length - 1] as number, 3),
      errors: this.#sampleErrors,
    };
  }
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
