import { evidence } from '@stackproof/core';
import { describe, expect, it } from 'vitest';
import { escapeXml, junitCaseFromEvidence, junitXml } from './index.ts';

describe('junitXml', () => {
  it('counts cases per status and writes failures with message and body', () => {
    const xml = junitXml([
      {
        name: 'load scale-out',
        timestamp: '2026-11-29T08:00:00.000Z',
        timeSeconds: 312.5,
        properties: { target: 'http://127.0.0.1:8080' },
        cases: [
          {
            name: 'p95 sustain',
            classname: 'k8s.hpa-scales-out',
            status: 'passed',
            timeSeconds: 1,
          },
          {
            name: 'desired replicas rise',
            classname: 'k8s.hpa-scales-out',
            status: 'failed',
            message: 'peaked at 3 < 5',
            detail: 'maxReplicas 3',
          },
          {
            name: 'scale-in',
            classname: 'k8s.hpa-scales-out',
            status: 'skipped',
            message: 'no drop',
          },
        ],
      },
    ]);
    expect(xml).toContain('<testsuites tests="3" failures="1" errors="0" skipped="1">');
    expect(xml).toContain(
      '<testsuite name="load scale-out" tests="3" failures="1" errors="0" skipped="1" timestamp="2026-11-29T08:00:00.000Z" time="312.500">',
    );
    expect(xml).toContain('<property name="target" value="http://127.0.0.1:8080"/>');
    expect(xml).toContain(
      '<failure message="peaked at 3 &lt; 5" type="failed">maxReplicas 3</failure>',
    );
    expect(xml).toContain('<skipped message="no drop"/>');
    expect(xml).toContain('<testcase name="p95 sustain" classname="k8s.hpa-scales-out" time="1"/>');
  });

  it('escapes markup and replaces characters XML cannot hold (negative twin: raw text would break the parser)', () => {
    const nasty = 'a<b & "c" \'d\' \u0000\u001b]0;x\u0007 \ud800 ok';
    const escaped = escapeXml(nasty);
    expect(escaped).toBe(
      'a&lt;b &amp; &quot;c&quot; &apos;d&apos; \uFFFD\uFFFD]0;x\uFFFD \uFFFD ok',
    );
    const xml = junitXml([
      {
        name: nasty,
        cases: [
          { name: nasty, classname: 'x', status: 'failed', message: nasty, detail: '</failure>' },
        ],
      },
    ]);
    for (const control of ['\u0000', '\u0007', '\u001b']) expect(xml).not.toContain(control);
    expect(xml).toContain('&lt;/failure&gt;</failure>');
    // every element opened is closed: the escaped detail did not end the <failure> early
    expect(xml.match(/<failure /g)?.length).toBe(1);
    expect(xml.match(/<\/failure>/g)?.length).toBe(1);
  });
});

describe('junitCaseFromEvidence', () => {
  const base = {
    property: 'k8s.hpa-scales-out',
    phase: 'load' as const,
    subject: 'stackproof/stackproof-backend',
  };
  it('a failed check becomes a failure naming the bound; unknown is skipped, never passed', () => {
    const failed = junitCaseFromEvidence(
      evidence({
        ...base,
        status: 'fail',
        check: 'desired-replicas-rise',
        detail: 'peak 3',
        expected: 'peak >= 5',
      }),
    );
    expect(failed).toMatchObject({
      status: 'failed',
      name: 'desired-replicas-rise (stackproof/stackproof-backend)',
      classname: 'k8s.hpa-scales-out',
      message: 'peak 3; expected peak >= 5',
    });
    expect(
      junitCaseFromEvidence(evidence({ ...base, status: 'unknown', detail: 'no metrics' })).status,
    ).toBe('skipped');
    expect(junitCaseFromEvidence(evidence({ ...base, status: 'pass', detail: 'ok' })).status).toBe(
      'passed',
    );
  });
});
