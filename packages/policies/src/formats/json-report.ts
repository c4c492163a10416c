import type { PolicyReport } from '../findings.ts';

/** `{ version, findings: [...], summary }`; each finding has exactly the documented fields. */
export function formatJson(report: PolicyReport): string {
  const findings = report.findings.map((f) => ({
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
  }));
  return `${JSON.stringify({ version: report.version, findings, summary: report.summary }, null, 2)}\n`;
}
