import { describe, expect, it } from 'vitest';
import {
  LOAD_DEFAULTS,
  parseLoadExpectations,
  scaleOutEvidence,
  type Timeline,
  type TimelinePoint,
} from './index.ts';

const bounds = { minPeakReplicas: 5, scaleOutSeconds: 60, readySeconds: 30, scaleInSeconds: 100 };
const T0 = 1_800_000_000;

/** A synthetic 200 s timeline: sustain from 40 s, drop ends at 120 s; replicas as `replicas(t)`. */
function timeline(replicas: (s: number) => { desired: number; ready: number }, max = 12): Timeline {
  const points: TimelinePoint[] = Array.from({ length: 200 }, (_, s) => ({
    t: T0 + s,
    offset: s,
    phase:
      s < 20 ? 'baseline' : s < 40 ? 'ramp' : s < 115 ? 'sustain' : s < 120 ? 'drop' : 'cooldown',
    requests: 10,
    failed: 0,
    p50Ms: 10,
    p95Ms: 20,
    dropped: 0,
    ...replicas(s),
    current: replicas(s).desired,
    minReplicas: 3,
    maxReplicas: max,
    cpuMillicores: 100,
    utilization: 40,
    podsWithMetrics: 3,
    podCpuMillicores: {},
  }));
  const window = (name: string, from: number, to: number) => ({
    name,
    from: T0 + from,
    to: T0 + to,
    fromRate: 1,
    toRate: 1,
  });
  return {
    startMs: T0 * 1000,
    points,
    phases: [
      window('baseline', 0, 20),
      window('ramp', 20, 40),
      window('sustain', 40, 115),
      window('drop', 115, 120),
      window('cooldown', 120, 200),
    ],
    sampling: { samples: 200, medianIntervalSeconds: 1, maxIntervalSeconds: 1, errors: 0 },
  };
}

const statusOf = (events: ReturnType<typeof scaleOutEvidence>['events']) =>
  Object.fromEntries(events.map((e) => [e.check, e.status]));

describe('scaleOutEvidence', () => {
  it('passes when desired rises to the peak in time, ready follows and it scales back in', () => {
    const { events, timings } = scaleOutEvidence({
      timeline: timeline((s) =>
        s < 50
          ? { desired: 3, ready: 3 }
          : s < 140
            ? { desired: 6, ready: s < 60 ? 3 : 6 }
            : { desired: 3, ready: 3 },
      ),
      thresholds: [],
      bounds,
      subject: 'stackproof/stackproof-backend',
    });
    expect(statusOf(events)).toEqual({
      'hpa-allows-peak': 'pass',
      'desired-replicas-rise': 'pass',
      'ready-replicas-follow': 'pass',
      'replicas-scale-in': 'pass',
    });
    expect(timings).toMatchObject({
      firstDesiredChangeSeconds: 10,
      desiredReachedPeakSeconds: 10,
      readyFollowedSeconds: 10,
      scaledInSeconds: 20,
      peakDesired: 6,
    });
    expect(events.every((e) => e.property === 'k8s.hpa-scales-out')).toBe(true);
  });

  it('fails, naming the bound, when maxReplicas == minReplicas keeps desired at the floor', () => {
    const { events } = scaleOutEvidence({
      timeline: timeline(() => ({ desired: 3, ready: 3 }), 3),
      thresholds: [],
      bounds,
      subject: 'ns/hpa',
    });
    expect(statusOf(events)).toMatchObject({
      'hpa-allows-peak': 'fail',
      'desired-replicas-rise': 'fail',
      'ready-replicas-follow': 'skipped',
    });
    expect(events.find((e) => e.check === 'hpa-allows-peak')?.detail).toMatch(
      /HPA maxReplicas 3 replicas \(bound >= 5 replicas\)/,
    );
  });

  it('fails a slow scale-out and a scale-in that never comes; unknown when the cool-down is shorter than the bound', () => {
    const slow = scaleOutEvidence({
      timeline: timeline((s) => (s < 110 ? { desired: 3, ready: 3 } : { desired: 6, ready: 6 })),
      thresholds: [],
      bounds: { ...bounds, scaleInSeconds: 60 },
      subject: 'ns/hpa',
    });
    expect(statusOf(slow.events)).toMatchObject({
      'desired-replicas-rise': 'fail',
      'replicas-scale-in': 'fail',
    });
    const short = scaleOutEvidence({
      timeline: timeline((s) => (s < 50 ? { desired: 3, ready: 3 } : { desired: 6, ready: 6 })),
      thresholds: [],
      bounds: { ...bounds, scaleInSeconds: 500 },
      subject: 'ns/hpa',
    });
    expect(statusOf(short.events)['replicas-scale-in']).toBe('unknown');
  });
});

describe('parseLoadExpectations', () => {
  it('fills defaults, takes the error budget from the availability SLO, and warns on unknown keys', () => {
    const { config, warnings, errors } = parseLoadExpectations(
      { scaleOut: { rate: 80, sustianSeconds: 3 } },
      { availabilitySlo: 0.995 },
    );
    expect(errors).toEqual([]);
    expect(config?.scaleOut.rate).toBe(80);
    expect(config?.scaleOut.sustainSeconds).toBe(LOAD_DEFAULTS.scaleOut.sustainSeconds);
    expect(config?.errorBudget).toBe(0.005);
    expect(warnings).toContain("unknown key 'load.scaleOut.sustianSeconds' is ignored (typo?)");
  });

  it('reports every problem at once (negative twin)', () => {
    const { config, errors } = parseLoadExpectations(
      { hpa: 'no-slash', errorBudget: 2, scaleOut: { rate: -1, p95Ms: 'fast' }, steady: [] },
      { availabilitySlo: 0.99 },
    );
    expect(config).toBeUndefined();
    expect(errors).toEqual([
      'load.hpa must be NAMESPACE/NAME of a HorizontalPodAutoscaler, got "no-slash"',
      'load.errorBudget must be a share of requests in [0, 1), got 2',
      'load.scaleOut.rate must be a positive number, got -1',
      'load.scaleOut.p95Ms must map phase names to milliseconds, e.g. {"sustain": 2000}',
      'load.steady must be an object',
    ]);
  });
});
