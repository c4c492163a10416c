import { describe, expect, it } from 'vitest';
import {
  combineVerdicts,
  evidence,
  evidenceProblems,
  findingFromEvidence,
  measuredEvidence,
} from './index.ts';

describe('evidence events', () => {
  it('stamps the time and keeps every field', () => {
    const event = evidence({
      at: new Date(0),
      property: 'rds.multi-az',
      phase: 'live',
      status: 'pass',
      subject: 'arn:aws:rds:me-central-1:123456789012:db:app',
      detail: 'MultiAZ true',
    });
    expect(event.at).toBe('1970-01-01T00:00:00.000Z');
    expect(evidenceProblems(event)).toEqual([]);
  });

  it('a measure within its bound passes; outside, it fails and names the bound', () => {
    const within = measuredEvidence({
      property: 'k8s.topology-spread-zone',
      phase: 'chaos',
      subject: 'stackproof/stackproof-backend',
      measure: { name: 'time to recover', value: 41.2, unit: 's', bound: { op: '<=', limit: 90 } },
    });
    expect(within.status).toBe('pass');
    const beyond = measuredEvidence({
      property: 'k8s.topology-spread-zone',
      phase: 'chaos',
      subject: 'stackproof/stackproof-backend',
      measure: { name: 'time to recover', value: 120, unit: 's', bound: { op: '<=', limit: 90 } },
    });
    expect(beyond.status).toBe('fail');
    expect(beyond.expected).toBe('time to recover <= 90 s');
    expect(findingFromEvidence(beyond, 'high')).toEqual({
      rule: 'k8s.topology-spread-zone',
      status: 'fail',
      severity: 'high',
      address: 'stackproof/stackproof-backend',
      message: 'time to recover 120 s (bound <= 90 s); expected time to recover <= 90 s',
    });
  });

  it('names what is wrong with an event read from a file', () => {
    expect(evidenceProblems({ at: 'x', property: 1, phase: 'soon', status: 'ok' })).toEqual([
      'property is not a string',
      'subject is not a string',
      'detail is not a string',
      'at is not a date',
      'phase is not one of plan, live, load, chaos',
      'status is not a verdict',
    ]);
  });
});

describe('combineVerdicts', () => {
  it('fails when anything fails, and a set of skips is skipped, never passed', () => {
    expect(combineVerdicts(['pass', 'fail', 'unknown'])).toBe('fail');
    expect(combineVerdicts(['pass', 'unknown'])).toBe('unknown');
    expect(combineVerdicts(['skipped', 'skipped'])).toBe('skipped');
    expect(combineVerdicts(['pass', 'skipped'])).toBe('skipped');
    expect(combineVerdicts(['pass', 'waived'])).toBe('waived');
    expect(combineVerdicts(['pass'])).toBe('pass');
    expect(combineVerdicts([])).toBeUndefined();
  });
});
