import { describe, expect, it } from 'vitest';
import {
  k6Percentile,
  parseK6Duration,
  planFromOptions,
  ThresholdEvaluator,
  ThresholdExpressionError,
} from './index.ts';

const sample = (metric: string, value: number, tags: Record<string, string> = {}) => ({
  metric,
  time: 0,
  value,
  tags,
});

describe('k6Percentile', () => {
  it('interpolates between ranks exactly as k6 does', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(k6Percentile(values, 0.95)).toBeCloseTo(9.55, 10);
    expect(k6Percentile(values, 0.5)).toBe(5.5);
    expect(k6Percentile([42], 0.99)).toBe(42);
    expect(k6Percentile([], 0.95)).toBe(0);
  });
});

describe('ThresholdEvaluator', () => {
  it('judges only the samples a tag filter selects, per metric type', () => {
    const evaluator = new ThresholdEvaluator([
      { metric: 'http_req_duration{phase:sustain}', expression: 'p(95)<100' },
      { metric: 'http_req_duration{phase:baseline}', expression: 'p(95)<100' },
      { metric: 'http_req_failed{phase:sustain}', expression: 'rate<=0.1' },
      { metric: 'http_reqs', expression: 'count>=4' },
    ]);
    evaluator.metricType('http_req_duration', 'trend');
    evaluator.metricType('http_req_failed', 'rate');
    evaluator.metricType('http_reqs', 'counter');
    for (const v of [10, 20, 30, 40])
      evaluator.add(sample('http_req_duration', v, { phase: 'sustain' }));
    for (const v of [500, 600])
      evaluator.add(sample('http_req_duration', v, { phase: 'baseline' }));
    for (const v of [0, 0, 0, 1]) evaluator.add(sample('http_req_failed', v, { phase: 'sustain' }));
    for (let i = 0; i < 6; i++) evaluator.add(sample('http_reqs', 1, { phase: 'sustain' }));
    const verdicts = evaluator.verdicts(10);
    expect(verdicts.map((v) => [v.metric, v.passed, v.samples])).toEqual([
      ['http_req_duration{phase:sustain}', true, 4],
      // negative twin: the slow baseline is not hidden by the fast sustain
      ['http_req_duration{phase:baseline}', false, 2],
      ['http_req_failed{phase:sustain}', false, 4],
      ['http_reqs', true, 6],
    ]);
    expect(verdicts[2]?.value).toBe(0.25);
  });

  it('refuses a threshold expression it cannot evaluate (bad input, not a silent pass)', () => {
    expect(
      () => new ThresholdEvaluator([{ metric: 'http_req_duration', expression: 'p95 < 100' }]),
    ).toThrow(ThresholdExpressionError);
  });
});

describe('plans from k6 inspect', () => {
  it('reads phases in order with their windows and rates, and the sampler', () => {
    const plan = planFromOptions({
      scenarios: {
        sustain: {
          executor: 'constant-arrival-rate',
          startTime: '50s',
          duration: '1m30s',
          rate: 60,
          tags: { phase: 'sustain' },
        },
        baseline: {
          executor: 'constant-arrival-rate',
          startTime: '0s',
          duration: '20s',
          rate: 5,
          tags: { phase: 'baseline' },
        },
        ramp: {
          executor: 'ramping-arrival-rate',
          startTime: '20s',
          startRate: 5,
          stages: [{ duration: '30s', target: 60 }],
          tags: { phase: 'ramp' },
        },
        sampler: { executor: 'per-vu-iterations', maxDuration: '170s', tags: { phase: 'sampler' } },
      },
      thresholds: { 'http_req_failed{phase:sustain}': ['rate<=0.01'] },
    });
    expect(
      plan.phases.map((p) => [p.name, p.startSeconds, p.seconds, p.fromRate, p.toRate]),
    ).toEqual([
      ['baseline', 0, 20, 5, 5],
      ['ramp', 20, 30, 5, 60],
      ['sustain', 50, 90, 60, 60],
    ]);
    expect(plan.totalSeconds).toBe(140);
    expect(plan.samplesCluster).toBe(true);
    expect(plan.thresholds).toEqual([
      { metric: 'http_req_failed{phase:sustain}', expression: 'rate<=0.01' },
    ]);
  });

  it('parses k6 durations and refuses other executors', () => {
    expect(parseK6Duration('1m30s')).toBe(90);
    expect(parseK6Duration('500ms')).toBe(0.5);
    expect(parseK6Duration('2h')).toBe(7200);
    expect(() => parseK6Duration('soon')).toThrow(/not a k6 duration/);
    expect(() =>
      planFromOptions({ scenarios: { x: { executor: 'constant-vus', duration: '1s' } } }),
    ).toThrow(/not an arrival-rate phase/);
  });
});
