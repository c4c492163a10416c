import { PROPERTIES, type Verdict } from '@stackproof/core';
import type { LiveFinding, LiveReport } from './live-report.ts';

export const LIVE_REPORT_FORMATS = ['text', 'json', 'junit'] as const;
export type LiveReportFormat = (typeof LIVE_REPORT_FORMATS)[number];

const MARK: Readonly<Record<Verdict, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  skipped: 'SKIP',
  unknown: 'UNKN',
  waived: 'WAIV',
};

function findingLine(f: LiveFinding): string {
  const check = f.check !== undefined ? ` [${f.check}]` : '';
  return `  ${MARK[f.status]}  ${f.address}${check}: ${f.message}`;
}

/**
 * Every property with its verdict and the evidence it rests on (passes too: the evidence is the
 * point of a live check), failures first within each property; then the settled gate unknowns,
 * the skips with their reasons, and the counts.
 */
export function formatLiveText(report: LiveReport): string {
  const out: string[] = [
    `stackproof live check ${report.version}: outputs ${report.target.outputs}, expectations ${report.target.expectations}` +
      `${report.target.kubeContext !== undefined ? `, kube context ${report.target.kubeContext}` : ''}` +
      `${report.target.awsEndpoint !== undefined ? `, AWS endpoint ${report.target.awsEndpoint}` : ''}`,
  ];
  const order: Verdict[] = ['fail', 'unknown', 'skipped', 'waived', 'pass'];
  for (const property of PROPERTIES) {
    const verdict = report.summary.properties[property.id];
    if (verdict === undefined) continue;
    const findings = report.findings
      .filter((f) => f.rule === property.id)
      .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
    out.push('', `${MARK[verdict]} ${property.id} — ${property.title} (${property.severity})`);
    for (const f of findings) out.push(findingLine(f));
  }
  if (report.settled !== undefined) {
    out.push('', `SETTLED GATE UNKNOWNS (${report.settled.length})`);
    for (const s of report.settled) {
      out.push(
        `  ${s.rule}  ${s.address}: unknown in the plan (${s.gateMessage}) → live ${s.live}`,
      );
      for (const e of s.evidence) out.push(`      ${MARK[e.status]} ${e.address}: ${e.message}`);
    }
  }
  const s = report.summary;
  const verdicts = Object.values(s.properties);
  const n = (v: Verdict) => verdicts.filter((x) => x === v).length;
  out.push(
    '',
    `${verdicts.length} properties: ${n('pass')} passed, ${n('fail')} failed, ${n('skipped')} skipped (${s.total} findings: ${s.pass} pass, ${s.fail} fail, ${s.skipped} skipped)`,
    `${report.aws.calls} AWS API calls (${report.aws.requests} requests), ${report.kubeRequests} Kubernetes requests, ${report.wallSeconds.toFixed(1)} s${report.policyEvaluation !== undefined ? `; IAM: ${report.policyEvaluation}` : ''}`,
    s.passed ? 'PASSED' : `FAILED: ${n('fail')} properties (${s.fail} findings)`,
  );
  return `${out.join('\n')}\n`;
}

export function formatLiveJson(report: LiveReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function xml(text: string): string {
  let clean = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) clean += ch;
  }
  return clean
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/**
 * JUnit XML: one testsuite per property, one testcase per finding (subject and check); a failure
 * carries what was seen and expected, a skip its reason. Kept self-contained so it can move onto
 * the shared JUnit writer of packages/report when that exists.
 */
export function formatLiveJunit(report: LiveReport): string {
  const s = report.summary;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="stackproof live check" tests="${s.total}" failures="${s.fail}" skipped="${s.skipped}" time="${report.wallSeconds}">`,
  ];
  for (const id of Object.keys(s.properties)) {
    const findings = report.findings.filter((f) => f.rule === id);
    const fails = findings.filter((f) => f.status === 'fail').length;
    const skips = findings.filter((f) => f.status === 'skipped').length;
    out.push(
      `  <testsuite name="${xml(id)}" tests="${findings.length}" failures="${fails}" skipped="${skips}">`,
    );
    for (const f of findings) {
      const name = f.check !== undefined ? `${f.address} [${f.check}]` : f.address;
      out.push(`    <testcase classname="${xml(id)}" name="${xml(name)}">`);
      if (f.status === 'fail') {
        out.push(
          `      <failure type="${f.severity}" message="${xml(f.message)}">${xml(`${f.title}\n${f.message}`)}</failure>`,
        );
      } else if (f.status === 'skipped') {
        out.push(`      <skipped message="${xml(f.message)}"/>`);
      } else {
        out.push(`      <system-out>${xml(f.message)}</system-out>`);
      }
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

export function formatLiveReport(report: LiveReport, format: LiveReportFormat): string {
  switch (format) {
    case 'text':
      return formatLiveText(report);
    case 'json':
      return formatLiveJson(report);
    case 'junit':
      return formatLiveJunit(report);
  }
}
