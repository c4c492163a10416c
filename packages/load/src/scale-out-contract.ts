import { type EvidenceEvent, evidence, measuredEvidence } from '@stackproof/core';
import type { ThresholdVerdict } from './thresholds.ts';
import type { Timeline, TimelinePoint } from './timeline.ts';

/** The property every check of a scale-out (and spike) run is evidence for. */
export const SCALE_OUT_PROPERTY = 'k8s.hpa-scales-out';

/** The bounds of the scale-out contract (from the expectations file's `load.scaleOut`, or flags). */
export interface ScaleOutBounds {
  /** Desired replicas must reach at least this many... */
  readonly minPeakReplicas: number;
  /** ...within this many seconds of the ramp reaching the target rate (the sustain phase's start). */
  readonly scaleOutSeconds: number;
  /** Ready replicas must follow (reach the same count) within this many seconds of desired. */
  readonly readySeconds: number;
  /** After the drop, desired replicas must be back at the HPA's minimum within this many seconds. */
  readonly scaleInSeconds: number;
}

/** When things happened, in seconds relative to the ramp reaching the target rate. */
export interface ScaleOutTimings {
  readonly rampReachedTargetAt: number | null;
  readonly initialDesired: number | null;
  readonly peakDesired: number | null;
  readonly peakReady: number | null;
  readonly minReplicas: number | null;
  readonly maxReplicas: number | null;
  /** First second the desired replicas rose above their initial value (s after the ramp reached the rate; negative: during the ramp). */
  readonly firstDesiredChangeSeconds: number | null;
  /** First second ready replicas rose above their initial value (same origin). */
  readonly firstReadyChangeSeconds: number | null;
  /** Desired replicas reached `minPeakReplicas` (same origin). */
  readonly desiredReachedPeakSeconds: number | null;
  /** Ready replicas reached `minPeakReplicas`, in seconds after desired did. */
  readonly readyFollowedSeconds: number | null;
  /** Desired back at the minimum, in seconds after the drop ended. */
  readonly scaledInSeconds: number | null;
  /** How long the run watched after the drop. */
  readonly observedAfterDropSeconds: number | null;
  /** Desired replicas at the last sample. */
  readonly lastDesired: number | null;
}

function firstPoint(
  points: readonly TimelinePoint[],
  from: number,
  test: (p: TimelinePoint) => boolean,
): TimelinePoint | undefined {
  return points.find((p) => p.t >= Math.floor(from) && test(p));
}

const max = (values: (number | null)[]): number | null => {
  const numbers = values.filter((v): v is number => v !== null);
  return numbers.length === 0 ? null : Math.max(...numbers);
};

/** Measures the timings of a run's replicas against its phases (`sustain`, `cooldown`). */
export function scaleOutTimings(timeline: Timeline, bounds: ScaleOutBounds): ScaleOutTimings {
  const { points, phases } = timeline;
  const sustain = phases.find((p) => p.name === 'sustain');
  const drop = phases.find((p) => p.name === 'drop');
  const cooldown = phases.find((p) => p.name === 'cooldown');
  const rampReached = sustain?.from ?? null;
  const sampled = points.filter((p) => p.desired !== null);
  const initialDesired = sampled[0]?.desired ?? null;
  const initialReady = points.find((p) => p.ready !== null)?.ready ?? null;
  const since = (p: TimelinePoint | undefined, origin: number | null): number | null =>
    p === undefined || origin === null ? null : Math.round((p.t - origin) * 10) / 10;
  const desiredChange =
    initialDesired === null
      ? undefined
      : sampled.find((p) => (p.desired as number) > initialDesired);
  const readyChange =
    initialReady === null
      ? undefined
      : points.find((p) => p.ready !== null && p.ready > initialReady);
  const desiredPeak = firstPoint(
    points,
    timeline.startMs / 1000,
    (p) => p.desired !== null && p.desired >= bounds.minPeakReplicas,
  );
  const readyPeak =
    desiredPeak === undefined
      ? undefined
      : firstPoint(
          points,
          desiredPeak.t,
          (p) => p.ready !== null && p.ready >= bounds.minPeakReplicas,
        );
  const minReplicas = sampled.find((p) => p.minReplicas !== null)?.minReplicas ?? null;
  const dropEnd = drop?.to ?? cooldown?.from ?? null;
  const scaledIn =
    dropEnd === null || minReplicas === null
      ? undefined
      : firstPoint(points, dropEnd, (p) => p.desired !== null && p.desired <= minReplicas);
  const lastSampled = sampled[sampled.length - 1];
  return {
    rampReachedTargetAt: rampReached,
    initialDesired,
    peakDesired: max(points.map((p) => p.desired)),
    peakReady: max(points.map((p) => p.ready)),
    minReplicas,
    maxReplicas: max(points.map((p) => p.maxReplicas)),
    firstDesiredChangeSeconds: since(desiredChange, rampReached),
    firstReadyChangeSeconds: since(readyChange, rampReached),
    desiredReachedPeakSeconds: since(desiredPeak, rampReached),
    readyFollowedSeconds:
      readyPeak === undefined || desiredPeak === undefined ? null : readyPeak.t - desiredPeak.t,
    scaledInSeconds: since(scaledIn, dropEnd),
    observedAfterDropSeconds:
      dropEnd === null || lastSampled === undefined
        ? null
        : Math.round(lastSampled.t + 1 - dropEnd),
    lastDesired: lastSampled?.desired ?? null,
  };
}

export interface ContractInput {
  readonly timeline: Timeline;
  readonly thresholds: readonly ThresholdVerdict[];
  readonly bounds: ScaleOutBounds;
  /** `namespace/name` of the HPA. */
  readonly subject: string;
  readonly at?: Date;
}

/** `http_req_duration{phase:sustain}` + `p(95)<2000` → a readable check name. */
function thresholdCheck(verdict: ThresholdVerdict): { check: string; name: string; unit: string } {
  const phase = /\{.*phase:([^,}]+)/.exec(verdict.metric)?.[1];
  const where = phase === undefined ? '' : ` (${phase})`;
  if (verdict.metric.startsWith('http_req_duration')) {
    const agg =
      /^\s*(p\(\d+(?:\.\d+)?\)|avg|med|max|min)/.exec(verdict.expression)?.[1] ?? 'latency';
    return {
      check: `latency-${agg.replace(/[()]/g, '')}${phase ? `-${phase}` : ''}`,
      name: `${agg} latency${where}`,
      unit: 'ms',
    };
  }
  if (verdict.metric.startsWith('http_req_failed')) {
    return {
      check: `error-rate${phase ? `-${phase}` : ''}`,
      name: `error rate${where}`,
      unit: 'ratio',
    };
  }
  return {
    check: `threshold ${verdict.metric}`,
    name: `${verdict.metric} ${verdict.expression}`,
    unit: '',
  };
}

/** Each threshold, judged on the merged samples, as one evidence event. */
export function thresholdEvidence(
  verdicts: readonly ThresholdVerdict[],
  property: string,
  subject: string,
  at?: Date,
): EvidenceEvent[] {
  return verdicts.map((v) => {
    const { check, name, unit } = thresholdCheck(v);
    const op = v.op === '<' || v.op === '<=' || v.op === '>' || v.op === '>=' ? v.op : undefined;
    const value = Math.round(v.value * 10000) / 10000;
    const data = { metric: v.metric, expression: v.expression, samples: v.samples };
    if (op === undefined) {
      return evidence({
        ...(at === undefined ? {} : { at }),
        property,
        phase: 'load',
        check,
        subject,
        status: v.passed ? 'pass' : 'fail',
        detail: `${v.metric} ${v.expression}: ${value} over ${v.samples} samples`,
        ...(v.passed ? {} : { expected: `${v.metric} ${v.expression}` }),
        data,
      });
    }
    return measuredEvidence({
      ...(at === undefined ? {} : { at }),
      property,
      phase: 'load',
      check,
      subject,
      detail: `${v.samples} samples`,
      measure: { name, value, unit, bound: { op, limit: v.limit } },
      data,
    });
  });
}

/**
 * The scale-out contract in numbers, each a named check of `k8s.hpa-scales-out`:
 * - `hpa-allows-peak`: the HPA's maxReplicas can reach the required peak at all;
 * - `desired-replicas-rise`: desired reaches the peak within `scaleOutSeconds` of the ramp
 *   reaching the target rate (or, when it never does, the peak it reached, against the bound);
 * - `ready-replicas-follow`: ready replicas reach it within `readySeconds` of desired;
 * - `replicas-scale-in`: desired is back at minReplicas within `scaleInSeconds` of the drop;
 * - one check per threshold (latency and error rate of every phase, on the merged samples).
 */
export function scaleOutEvidence(input: ContractInput): {
  events: EvidenceEvent[];
  timings: ScaleOutTimings;
} {
  const { timeline, bounds, subject } = input;
  const stamp = input.at === undefined ? {} : { at: input.at };
  const base = { ...stamp, property: SCALE_OUT_PROPERTY, phase: 'load' as const, subject };
  const timings = scaleOutTimings(timeline, bounds);
  const events: EvidenceEvent[] = [];
  const peak = bounds.minPeakReplicas;

  if (timeline.sampling.samples === 0) {
    events.push(
      evidence({
        ...base,
        check: 'cluster-sampled',
        status: 'fail',
        detail: `no sample of the HPA was recorded (${timeline.sampling.errors} API errors): the scale-out cannot be judged`,
        expected: 'one sample of the HPA, its Deployment and its pods per second',
      }),
    );
  } else {
    if (timings.maxReplicas !== null) {
      events.push(
        measuredEvidence({
          ...base,
          check: 'hpa-allows-peak',
          detail: `HPA minReplicas ${timings.minReplicas}, maxReplicas ${timings.maxReplicas}`,
          measure: {
            name: 'HPA maxReplicas',
            value: timings.maxReplicas,
            unit: 'replicas',
            bound: { op: '>=', limit: peak },
          },
        }),
      );
    }
    const timingData = Object.fromEntries(
      Object.entries(timings).filter(([, v]) => v !== null),
    ) as Record<string, number>;
    if (timings.desiredReachedPeakSeconds !== null) {
      events.push(
        measuredEvidence({
          ...base,
          check: 'desired-replicas-rise',
          detail: `desired replicas ${timings.initialDesired} → ${peak} (peak ${timings.peakDesired})`,
          measure: {
            name: `seconds from the ramp reaching the target rate to desired >= ${peak}`,
            value: timings.desiredReachedPeakSeconds,
            unit: 's',
            bound: { op: '<=', limit: bounds.scaleOutSeconds },
          },
          data: timingData,
        }),
      );
    } else {
      events.push(
        measuredEvidence({
          ...base,
          check: 'desired-replicas-rise',
          detail: `desired replicas never reached ${peak} (HPA maxReplicas ${timings.maxReplicas ?? 'unknown'})`,
          measure: {
            name: 'peak desired replicas',
            value: timings.peakDesired ?? 0,
            unit: 'replicas',
            bound: { op: '>=', limit: peak },
          },
          data: timingData,
        }),
      );
    }
    if (timings.readyFollowedSeconds !== null) {
      events.push(
        measuredEvidence({
          ...base,
          check: 'ready-replicas-follow',
          detail: `ready replicas reached ${peak}`,
          measure: {
            name: `seconds from desired >= ${peak} to ready >= ${peak}`,
            value: timings.readyFollowedSeconds,
            unit: 's',
            bound: { op: '<=', limit: bounds.readySeconds },
          },
        }),
      );
    } else if (timings.desiredReachedPeakSeconds !== null) {
      events.push(
        measuredEvidence({
          ...base,
          check: 'ready-replicas-follow',
          detail: `ready replicas never reached ${peak} after desired did`,
          measure: {
            name: 'peak ready replicas',
            value: timings.peakReady ?? 0,
            unit: 'replicas',
            bound: { op: '>=', limit: peak },
          },
        }),
      );
    } else {
      events.push(
        evidence({
          ...base,
          check: 'ready-replicas-follow',
          status: 'skipped',
          detail: `desired replicas never reached ${peak}: nothing for ready replicas to follow`,
        }),
      );
    }
    events.push(scaleInEvent(base, timings, bounds));
  }
  events.push(...thresholdEvidence(input.thresholds, SCALE_OUT_PROPERTY, subject, input.at));
  return { events, timings };
}

function scaleInEvent(
  base: { property: string; phase: 'load'; subject: string; at?: Date },
  timings: ScaleOutTimings,
  bounds: ScaleOutBounds,
): EvidenceEvent {
  const min = timings.minReplicas;
  if (timings.observedAfterDropSeconds === null || min === null) {
    return evidence({
      ...base,
      check: 'replicas-scale-in',
      status: 'skipped',
      detail: 'the scenario has no drop phase to scale in after',
    });
  }
  if (timings.peakDesired !== null && timings.peakDesired <= min) {
    return evidence({
      ...base,
      check: 'replicas-scale-in',
      status: 'skipped',
      detail: `desired replicas never rose above minReplicas ${min}: nothing to scale in`,
    });
  }
  if (timings.scaledInSeconds !== null) {
    return measuredEvidence({
      ...base,
      check: 'replicas-scale-in',
      detail: `desired replicas back at minReplicas ${min}`,
      measure: {
        name: `seconds from the drop to desired <= ${min}`,
        value: timings.scaledInSeconds,
        unit: 's',
        bound: { op: '<=', limit: bounds.scaleInSeconds },
      },
    });
  }
  if (timings.observedAfterDropSeconds < bounds.scaleInSeconds) {
    // The run ended before the bound: not back yet is not a failure, but nothing is proven either.
    return evidence({
      ...base,
      check: 'replicas-scale-in',
      status: 'unknown',
      detail: `desired replicas not back at ${min} after ${timings.observedAfterDropSeconds} s of cool-down, shorter than the bound ${bounds.scaleInSeconds} s: lengthen the cool-down`,
    });
  }
  return evidence({
    ...base,
    check: 'replicas-scale-in',
    status: 'fail',
    detail: `desired replicas not back at minReplicas ${min} within ${timings.observedAfterDropSeconds} s after the drop (still ${timings.lastDesired ?? 'unknown'})`,
    expected: `desired <= ${min} within ${bounds.scaleInSeconds} s of the drop`,
  });
}
