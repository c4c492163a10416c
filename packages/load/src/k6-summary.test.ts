import { describe, expect, it } from 'vitest';
import { K6SummaryError } from './k6-errors.ts';
import { parseSummaryExport } from './k6-summary.ts';

// the shape k6 v2.2.0 writes with --summary-export (trimmed from a real run)
const exported = JSON.stringify({
  root_group: {
    name: '',
    path: '',
    id: 'd41d8cd98f00b204e9800998ecf8427e',
    groups: [],
    checks: [],
  },
  metrics: {
    http_reqs: { count: 41, rate: 20.3 },
    'http_req_failed{phase:steady}': {
      passes: 40,
      fails: 0,
      value: 1,
      thresholds: { 'rate<0.01': true },
    },
    'http_req_duration{phase:steady}': {
      avg: 0.4,
      'p(95)': 0.9,
      thresholds: { 'p(95)<1000': false },
    },
  },
});

describe('parseSummaryExport', () => {
  it('reads the request count and maps true (crossed) to a failed threshold', () => {
    const summary = parseSummaryExport(exported);
    expect(summary.httpReqs).toBe(41);
    expect(summary.thresholds).toEqual([
      { metric: 'http_req_failed{phase:steady}', expression: 'rate<0.01', passed: false },
      { metric: 'http_req_duration{phase:steady}', expression: 'p(95)<1000', passed: true },
    ]);
    expect(summary.metrics['http_req_duration{phase:steady}']?.['p(95)']).toBe(0.9);
  });

  it('rejects input that is not a k6 summary export', () => {
    expect(() => parseSummaryExport('not json')).toThrow(K6SummaryError);
    expect(() => parseSummaryExport('{"state":{}}')).toThrow(/no "metrics" object/);
    const badThreshold = JSON.stringify({
      metrics: { checks: { thresholds: { 'rate==1': { ok: true } } } },
    });
    expect(() => parseSummaryExport(badThreshold)).toThrow(/is not a boolean/);
  });
});
