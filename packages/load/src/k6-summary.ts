import { K6SummaryError } from './k6-errors.ts';

/** One threshold expression on one (possibly tag-filtered) metric, e.g. `http_req_failed{phase:steady}`. */
export interface ThresholdResult {
  readonly metric: string;
  readonly expression: string;
  readonly passed: boolean;
}

/** What the runner reads from k6's `--summary-export` file. */
export interface K6Summary {
  readonly thresholds: readonly ThresholdResult[];
  /** `http_reqs` count: every request k6 sent, setup() included. 0 when the script sent none. */
  readonly httpReqs: number;
  /** Every metric as exported (name, optionally with a tag filter → its numeric fields). */
  readonly metrics: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses the `--summary-export` JSON. In that format a threshold maps to `true` when it was
 * crossed (failed) and `false` when it held, the opposite of handleSummary()'s `{ ok }`.
 */
export function parseSummaryExport(json: string): K6Summary {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (error) {
    throw new K6SummaryError(`not JSON (${(error as Error).message})`);
  }
  if (!isRecord(doc) || !isRecord(doc.metrics)) {
    throw new K6SummaryError('no "metrics" object at the top level');
  }
  const thresholds: ThresholdResult[] = [];
  const metrics: Record<string, Record<string, number>> = {};
  for (const [metric, body] of Object.entries(doc.metrics)) {
    if (!isRecord(body)) throw new K6SummaryError(`metric ${metric} is not an object`);
    const values: Record<string, number> = {};
    for (const [field, value] of Object.entries(body)) {
      if (typeof value === 'number') values[field] = value;
    }
    metrics[metric] = values;
    if (body.thresholds === undefined) continue;
    if (!isRecord(body.thresholds)) {
      throw new K6SummaryError(`metric ${metric} has thresholds that are not an object`);
    }
    for (const [expression, crossed] of Object.entries(body.thresholds)) {
      if (typeof crossed !== 'boolean') {
        throw new K6SummaryError(`threshold ${metric}: ${expression} is not a boolean`);
      }
      thresholds.push({ metric, expression, passed: !crossed });
    }
  }
  return { thresholds, httpReqs: metrics.http_reqs?.count ?? 0, metrics };
}
