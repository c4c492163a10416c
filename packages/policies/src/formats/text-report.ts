import { SEVERITIES, type Severity } from '@stackproof/core';
import type { Finding, PolicyReport } from '../findings.ts';

function where(finding: Finding): string {
  if (finding.file === undefined) return '';
  return ` (${finding.file}${finding.line !== undefined ? `:${finding.line}` : ''})`;
}

function line(finding: Finding): string {
  const mark =
    finding.status === 'fail' ? 'FAIL   ' : finding.status === 'unknown' ? 'UNKNOWN' : 'WAIVED ';
  let text = `  ${mark} ${finding.rule}  ${finding.address}: ${finding.message}${where(finding)}`;
  if (finding.status === 'fail') text += ` — fix: ${finding.remediation}`;
  if (finding.status === 'unknown')
    text += ` — settled after apply by live check ${finding.liveCheck}`;
  if (finding.status === 'waived' && finding.waiver !== undefined) {
    text += ` — waived until ${finding.waiver.expires} by ${finding.waiver.owner}: ${finding.waiver.reason}`;
  }
  return text;
}

/**
 * A report a person reads at a glance: failures and unknowns grouped by severity (most severe
 * first), one line each with the fix, then waivers and the counts. Passing checks are only counted.
 */
export function formatText(report: PolicyReport): string {
  return [...textChunks(report)].join('');
}

/** The text report line by line (see formatText), for writing it out without one big string. */
export function* textChunks(report: PolicyReport): Generator<string> {
  const { summary } = report;
  // Lines wait here until a thousand of them (or the end of a part) are yielded as one chunk.
  const pending: string[] = [];
  const out = {
    push: (...lines: string[]): void => {
      pending.push(...lines.map((l) => `${l}\n`));
    },
  };
  function* flush(): Generator<string> {
    if (pending.length > 0) yield pending.splice(0).join('');
  }
  out.push(`stackproof policy check ${report.version}: ${summary.inputs.join(', ')}`);
  for (const severity of [...SEVERITIES].reverse() as Severity[]) {
    const group = report.findings.filter(
      (f) => f.severity === severity && (f.status === 'fail' || f.status === 'unknown'),
    );
    if (group.length === 0) continue;
    out.push('', `${severity.toUpperCase()} (${group.length})`);
    for (const [i, finding] of group.entries()) {
      out.push(line(finding));
      if (i % 1000 === 999) yield* flush();
    }
    yield* flush();
  }
  const waived = report.findings.filter((f) => f.status === 'waived');
  if (waived.length > 0) {
    out.push('', `WAIVED (${waived.length})`);
    for (const finding of waived) out.push(line(finding));
  }
  for (const waiver of summary.expiredWaivers) {
    out.push(
      '',
      `ERROR expired waiver: ${waiver.rule} ${waiver.address} (owner ${waiver.owner}) expired on ${waiver.expires}; renew it with a new date or fix the finding and remove it`,
    );
  }
  for (const waiver of summary.unmatchedWaivers) {
    out.push(
      `NOTE waiver matched nothing: ${waiver.rule} ${waiver.address} (owner ${waiver.owner}); remove it`,
    );
  }
  for (const skipped of summary.skippedFiles)
    out.push(`NOTE skipped ${skipped.file}: ${skipped.reason}`);
  for (const note of summary.notes) out.push(`NOTE ${note}`);
  out.push('', summaryLine(report));
  yield* flush();
}

/**
 * The counts and the outcome in one line (`3 failed (2 high, 1 medium), 1 unknown, 0 waived, 40
 * passed — FAILED: 2 finding(s) at or above high`): the text report's last line, and what the CLI
 * prints when the report goes to a file.
 */
export function summaryLine(report: PolicyReport): string {
  const { summary } = report;
  const bySeverity = [...SEVERITIES]
    .reverse()
    .filter((s) => summary.failBySeverity[s] > 0)
    .map((s) => `${summary.failBySeverity[s]} ${s}`)
    .join(', ');
  return (
    `${summary.fail} failed${bySeverity ? ` (${bySeverity})` : ''}, ${summary.unknown} unknown, ` +
    `${summary.waived} waived, ${summary.pass} passed — ` +
    (summary.passed
      ? `PASSED (fails on ${summary.failOn} and above${summary.failOnUnknown ? ', unknowns included' : ''})`
      : `FAILED: ${summary.blocking} finding(s) at or above ${summary.failOn}` +
        (summary.expiredWaivers.length > 0
          ? `, ${summary.expiredWaivers.length} expired waiver(s)`
          : ''))
  );
}
