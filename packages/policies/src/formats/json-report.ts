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
  for (const [i, finding] of report.findings.entries()) {
    yield `${i > 0 ? ',' : ''}\n    ${indent(JSON.stringify(jsonFinding(finding), null, 2), '    ')}`;
  }
  yield `${report.findings.length > 0 ? '\n  ' : ''}],\n  "summary": ${indent(JSON.stringify(report.summary, null, 2), '  ')}\n}\n`;
}

export function formatJson(report: PolicyReport): string {
  return [...jsonChunks(report)].join('');
}
