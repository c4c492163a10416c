import type { PolicyReport } from '../findings.ts';

function xml(text: string): string {
  return withoutControlCharacters(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** XML 1.0 cannot carry most control characters, even escaped: drop them. */
function withoutControlCharacters(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) out += ch;
  }
  return out;
}

/** JUnit XML: one testsuite per rule, one testcase per resource; unknown and waived are skipped. */
export function formatJunit(report: PolicyReport): string {
  const byRule = new Map<string, PolicyReport['findings'][number][]>();
  for (const finding of report.findings) {
    const list = byRule.get(finding.rule) ?? [];
    list.push(finding);
    byRule.set(finding.rule, list);
  }
  const { summary } = report;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="stackproof policy check" tests="${summary.total}" failures="${summary.fail}" skipped="${summary.unknown + summary.waived}">`,
  );
  for (const [rule, findings] of [...byRule.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const failures = findings.filter((f) => f.status === 'fail').length;
    const skipped = findings.filter((f) => f.status === 'unknown' || f.status === 'waived').length;
    out.push(
      `  <testsuite name="${xml(rule)}" tests="${findings.length}" failures="${failures}" skipped="${skipped}">`,
    );
    for (const f of findings) {
      const file =
        f.file !== undefined
          ? ` file="${xml(f.file)}"${f.line !== undefined ? ` line="${f.line}"` : ''}`
          : '';
      out.push(`    <testcase classname="${xml(rule)}" name="${xml(f.address)}"${file}>`);
      if (f.status === 'fail') {
        out.push(
          `      <failure type="${f.severity}" message="${xml(f.message)}">${xml(`${f.title}\n${f.message}\nFix: ${f.remediation}`)}</failure>`,
        );
      } else if (f.status === 'unknown') {
        out.push(
          `      <skipped message="${xml(`unknown until apply; live check ${f.liveCheck}: ${f.message}`)}"/>`,
        );
      } else if (f.status === 'waived') {
        out.push(`      <skipped message="${xml(`waived: ${f.waiver?.reason ?? ''}`)}"/>`);
      }
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
