import { StackproofError } from '@stackproof/core';
import type { PlannedThreshold } from './k6-plan.ts';
import type { K6MetricType, K6Sample } from './k6-samples.ts';

/** A threshold k6 would accept that this evaluator does not understand. */
export class ThresholdExpressionError extends StackproofError {
  constructor(metric: string, expression: string, reason: string) {
    super('THRESHOLD_UNSUPPORTED', 'bad-input', `threshold ${metric}: '${expression}': ${reason}`);
  }
}

/** `http_req_duration{phase:sustain}` → the metric and the tags a sample must carry. */
export interface MetricSelector {
  readonly metric: string;
  readonly tags: Readonly<Record<string, string>>;
}

export function parseSelector(selector: string): MetricSelector {
  const match = /^([A-Za-z_][\w.]*)(?:\{(.*)\})?$/.exec(selector.trim());
  if (match === null)
    throw new ThresholdExpressionError(
      selector,
      '',
      'not a metric name with an optional {tag:value} filter',
    );
  const tags: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter((p) => p.trim() !== '')) {
    const colon = pair.indexOf(':');
    if (colon <= 0)
      throw new ThresholdExpressionError(selector, '', `tag filter '${pair}' is not key:value`);
    tags[pair.slice(0, colon).trim()] = pair
      .slice(colon + 1)
      .trim()
      .replace(/^["']|["']$/g, '');
  }
  return { metric: match[1] as string, tags };
}

export function selects(selector: MetricSelector, sample: K6Sample): boolean {
  if (sample.metric !== selector.metric) return false;
  for (const [key, value] of Object.entries(selector.tags))
    if (sample.tags[key] !== value) return false;
  return true;
}

type Op = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
interface Expression {
  readonly aggregation: string;
  readonly percentile?: number;
  readonly op: Op;
  readonly limit: number;
}

function parseExpression(metric: string, expression: string): Expression {
  const match =
    /^\s*(avg|min|max|med|count|rate|value|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/.exec(
      expression,
    );
  if (match === null) {
    throw new ThresholdExpressionError(
      metric,
      expression,
      'expected AGGREGATION OP NUMBER, e.g. p(95)<500 or rate<0.01',
    );
  }
  return {
    aggregation: match[2] === undefined ? (match[1] as string) : 'p',
    ...(match[2] === undefined ? {} : { percentile: Number(match[2]) / 100 }),
    op: match[3] as Op,
    limit: Number(match[4]),
  };
}

function holds(value: number, op: Op, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
    case '===':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

/**
 * The percentile exactly as k6's trend sink computes it (linear interpolation between the two
 * closest ranks of the sorted values), so a single-process run judged here agrees with k6's own
 * verdict, and a merged run is judged on every sample: a true percentile, never an average of
 * per-runner percentiles. `sorted` must be ascending.
 */
export function k6Percentile(sorted: readonly number[] | Float64Array, pct: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return sorted[0] as number;
  const i = pct * (n - 1);
  const lo = sorted[Math.floor(i)] as number;
  const hi = sorted[Math.ceil(i)] as number;
  return lo + (hi - lo) * (i - Math.floor(i));
}

/** Collects the samples one threshold selects, whatever the metric type. */
class Sink {
  values: number[] = [];
  sum = 0;
  nonZero = 0;
  count = 0;
  last = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(value: number, keepValues: boolean): void {
    this.count++;
    this.sum += value;
    if (value !== 0) this.nonZero++;
    this.last = value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (keepValues) this.values.push(value);
  }
}

/** One threshold judged on merged samples. */
export interface ThresholdVerdict {
  readonly metric: string;
  readonly expression: string;
  readonly passed: boolean;
  /** The aggregated value compared with the limit (ms for durations, 0..1 for rates). */
  readonly value: number;
  readonly op: string;
  readonly limit: number;
  /** Samples the metric selector matched. */
  readonly samples: number;
}

/**
 * Judges a script's thresholds on the raw samples of one or more k6 processes: feed every
 * sample (`add`), then `verdicts(durationSeconds)`.
 */
export class ThresholdEvaluator {
  readonly #entries: {
    threshold: PlannedThreshold;
    selector: MetricSelector;
    expression: Expression;
    sink: Sink;
  }[];
  readonly #types = new Map<string, K6MetricType>();

  constructor(thresholds: readonly PlannedThreshold[]) {
    this.#entries = thresholds.map((threshold) => ({
      threshold,
      selector: parseSelector(threshold.metric),
      expression: parseExpression(threshold.metric, threshold.expression),
      sink: new Sink(),
    }));
  }

  metricType(name: string, type: K6MetricType): void {
    this.#types.set(name, type);
  }

  add(sample: K6Sample): void {
    for (const entry of this.#entries) {
      if (selects(entry.selector, sample))
        entry.sink.add(
          sample.value,
          entry.expression.aggregation === 'p' || entry.expression.aggregation === 'med',
        );
    }
  }

  /** `durationSeconds`: the test's duration, for a counter's `rate` (as k6 divides by it). */
  verdicts(durationSeconds: number): ThresholdVerdict[] {
    return this.#entries.map(({ threshold, selector, expression, sink }) => {
      const type = this.#types.get(selector.metric);
      let value: number;
      switch (expression.aggregation) {
        case 'p':
        case 'med': {
          const sorted = Float64Array.from(sink.values).sort();
          value = k6Percentile(sorted, expression.percentile ?? 0.5);
          break;
        }
        case 'avg':
          value = sink.count === 0 ? 0 : sink.sum / sink.count;
          break;
        case 'min':
          value = sink.count === 0 ? 0 : sink.min;
          break;
        case 'max':
          value = sink.count === 0 ? 0 : sink.max;
          break;
        case 'count':
          value = type === 'rate' || type === 'trend' ? sink.count : sink.sum;
          break;
        case 'rate':
          value =
            type === 'counter'
              ? durationSeconds > 0
                ? sink.sum / durationSeconds
                : 0
              : sink.count === 0
                ? 0
                : sink.nonZero / sink.count;
          break;
        case 'value':
          value = sink.last;
          break;
        default:
          throw new ThresholdExpressionError(
            threshold.metric,
            threshold.expression,
            'unknown aggregation',
          );
      }
      return {
        metric: threshold.metric,
        expression: threshold.expression,
        passed: holds(value, expression.op, expression.limit),
        value,
        op: expression.op,
        limit: expression.limit,
        samples: sink.count,
      };
    });
  }
}
