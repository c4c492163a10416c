import type { Severity } from '@stackproof/core';
import type { Finding, PolicyReport } from '../findings.ts';

const COMMAND: Readonly<Record<Severity, string>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'notice',
};

// Workflow command escaping (actions/toolkit): data escapes %, CR, LF; properties also : and ,.
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

function annotation(finding: Finding): string {
  const command = finding.status === 'unknown' ? 'notice' : COMMAND[finding.severity];
  const properties = [
    ...(finding.file !== undefined ? [`file=${escapeProperty(finding.file)}`] : []),
    ...(finding.line !== undefined ? [`line=${finding.line}`] : []),
    `title=${escapeProperty(`${finding.rule} (${finding.severity})`)}`,
  ].join(',');
  const text =
    finding.status === 'unknown'
      ? `${finding.address}: ${finding.message} (unknown until apply; live check ${finding.liveCheck})`
      : `${finding.address}: ${finding.message}. Fix: ${finding.remediation}`;
  return `::${command} ${properties}::${escapeData(text)}`;
}

/** GitHub Actions workflow commands: one annotation per failure or unknown, then a summary notice. */
export function formatGithub(report: PolicyReport): string {
  const lines = report.findings
    .filter((f) => f.status === 'fail' || f.status === 'unknown')
    .map(annotation);
  for (const waiver of report.summary.expiredWaivers) {
    lines.push(
      `::error title=expired waiver::${escapeData(`waiver for ${waiver.rule} ${waiver.address} (owner ${waiver.owner}) expired on ${waiver.expires}`)}`,
    );
  }
  for (const waiver of report.summary.unmatchedWaivers) {
    lines.push(
      `::notice title=unused waiver::${escapeData(`waiver for ${waiver.rule} ${waiver.address} matched nothing`)}`,
    );
  }
  const s = report.summary;
  lines.push(
    `::notice title=stackproof policy check::${escapeData(`${s.fail} failed, ${s.unknown} unknown, ${s.waived} waived, ${s.pass} passed; ${s.passed ? 'passed' : 'failed'}`)}`,
  );
  return `${lines.join('\n')}\n`;
}
