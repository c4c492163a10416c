import type { Finding, PolicyReport } from '../findings.ts';

/** Each finding with exactly the documented fields. */
function jsonFinding(f: Finding) {
  return {
    rule: f.rule,
    title: f.title,
    severity: f.severity,
    status: f.status,
    address: f.address,
    resourceType: f.resourceType,
    message: f.message,
    remediation: f.remediation,
    ...(f.file !== undefined ? { file: f.file } : {}),
    ...(f.line !== undefined ? { line: f.line } : {}),
  };
}

const indent = (text: string, spaces: string) => text.replaceAll('\n', `\n${spaces}`);

/**
 * `{ version, findings: [...], summary }`, pretty-printed as JSON.stringify(…, null, 2) would,
 * one finding per chunk: a report of a 200,000-resource plan (hundreds of thousands of findings)
 * is written out without ever being one string.
 */
export function* jsonChunks(report: PolicyReport): Generator<string> {
  yield `{\n  "version": ${JSON.stringify(report.version)},\n  "findings": [`;
  // Written field by field, as JSON.stringify(jsonFinding(f), null, 2) indented by four would be
  // (a test holds this): a 50k-resource plan has 170,000 findings, and titles, messages and
  // remediations repeat, so each is quoted once.
  const quoted = new Map<string, string>();
  const quote = (text: string): string => {
    let json = quoted.get(text);
    if (json === undefined) {
      json = JSON.stringify(text);
      quoted.set(text, json);
    }
    return json;
  };
  const field = '\n      ';
  for (const [i, f] of report.findings.entries()) {
    yield `${i > 0 ? ',' : ''}\n    {${field}"rule": ${quote(f.rule)},${field}"title": ${quote(f.title)},${field}"severity": ${quote(f.severity)},${field}"status": ${quote(f.status)},${field}"address": ${JSON.stringify(f.address)},${field}"resourceType": ${quote(f.resourceType)},${field}"message": ${quote(f.message)},${field}"remediation": ${quote(f.remediation)}${f.file !== undefined ? `,${field}"file": ${quote(f.file)}` : ''}${f.line !== undefined ? `,${field}"line": ${JSON.stringify(f.line)}` : ''}\n    }`;
  }
  yield `${report.findings.length > 0 ? '\n  ' : ''}],\n  "summary": ${indent(JSON.stringify(report.summary, null, 2), '  ')}\n}\n`;
}

/** The pretty-printed report as JSON.stringify would write it (what jsonChunks must equal). */
export function formatJsonPlainly(report: PolicyReport): string {
  const findings = report.findings.map(jsonFinding);
  return `${JSON.stringify({ version: report.version, findings, summary: report.summary }, null, 2)}\n`;
}

export function formatJson(report: PolicyReport): string {
  return [...jsonChunks(report)].join('');
}
