import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { sampleReport } from '../../test-fixtures/sample-report.ts';
import { formatReport, REPORT_FORMATS, reportChunks } from './report-format.ts';
import { buildSarif } from './sarif-report.ts';

const require = createRequire(import.meta.url);
// The SARIF 2.1.0 JSON schema as published (schemastore), shipped by @microsoft/jest-sarif.
const SARIF_SCHEMA = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as object;
// The SARIF schema is draft-04; ajv-draft-04 (CommonJS, its module is the class) has Ajv's API.
const Ajv04 = require('ajv-draft-04') as typeof Ajv;
const validateSarif = new Ajv04({
  allErrors: true,
  strict: false,
  // The published schema has a language-tag pattern that is invalid under the u flag.
  unicodeRegExp: false,
  validateFormats: false,
  logger: false,
}).compile(SARIF_SCHEMA);

describe('report formats', () => {
  it('SARIF validates against the SARIF 2.1.0 schema, with locations on the .tf line', () => {
    const sarif = buildSarif(sampleReport());
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    const run = sarif.runs[0];
    expect(run?.tool.driver.rules?.map((r) => r.id)).toEqual(['rds.multi-az', 'k8s.replicas']);
    expect(run?.tool.driver.rules?.[0]?.properties?.['security-severity']).toBe('8.0');
    const results = run?.results ?? [];
    expect(results.map((r) => r.level)).toEqual(['error', 'note', 'error', 'warning']);
    expect(results[0]?.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'terraform/rds/main.tf', uriBaseId: '%SRCROOT%' },
      region: { startLine: 12 },
    });
    expect(results[2]?.suppressions?.[0]?.kind).toBe('external');
  });

  it('the SARIF schema check can fail (negative twin)', () => {
    const broken = { ...buildSarif(sampleReport()), version: '2.0.0' };
    expect(validateSarif(broken)).toBe(false);
    const noRuleId = buildSarif(sampleReport());
    (noRuleId.runs[0]?.results?.[0] as { level: string }).level = 'fatal';
    expect(validateSarif(noRuleId)).toBe(false);
  });

  it('JSON has exactly the documented finding fields', () => {
    const json = JSON.parse(formatReport(sampleReport(), 'json')) as {
      version: string;
      findings: Record<string, unknown>[];
      summary: { fail: number };
    };
    expect(Object.keys(json).sort()).toEqual(['findings', 'summary', 'version']);
    const allowed = [
      'rule',
      'title',
      'severity',
      'status',
      'address',
      'resourceType',
      'message',
      'remediation',
      'file',
      'line',
    ];
    for (const finding of json.findings) {
      expect(Object.keys(finding).every((k) => allowed.includes(k))).toBe(true);
    }
    expect(json.findings.map((f) => f.status)).toEqual([
      'fail',
      'unknown',
      'waived',
      'pass',
      'fail',
    ]);
    expect(json.summary.fail).toBe(2);
  });

  it('text groups by severity with the fix on each line and counts at the end', () => {
    const text = formatReport(sampleReport(), 'text');
    const lines = text.trimEnd().split('\n');
    expect(lines.indexOf('HIGH (2)')).toBeLessThan(lines.indexOf('MEDIUM (1)'));
    expect(text).toContain('FAIL    rds.multi-az  module.db.aws_db_instance.this[0]');
    expect(text).toMatch(/\(terraform\/rds\/main\.tf:12\) — fix: Set multi_az = true\./);
    expect(text).toContain('settled after apply by live check rds.multi-az');
    expect(text).toContain('NOTE waiver matched nothing: k8s.replicas Deployment/x/*');
    expect(lines.at(-1)).toBe(
      '2 failed (1 high, 1 medium), 1 unknown, 1 waived, 1 passed — FAILED: 1 finding(s) at or above high',
    );
  });

  it('JUnit has one failure per failed finding and escapes XML', () => {
    const xml = formatReport(sampleReport(), 'junit');
    expect(xml.match(/<failure /g)).toHaveLength(2);
    expect(xml.match(/<skipped /g)).toHaveLength(2);
    expect(xml).toContain('&quot;quoted&quot; &amp; &lt;tagged&gt;');
    expect(xml).not.toContain('<tagged>');
    expect(xml.match(/<testcase /g)).toHaveLength(xml.match(/<\/testcase>/g)?.length ?? -1);
  });

  it('GitHub annotations carry file and line and escape newlines and percent signs', () => {
    const lines = formatReport(sampleReport(), 'github').trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^::error file=terraform\/rds\/main.tf,line=12,title=rds.multi-az \(high\)::/,
    );
    expect(lines[0]).toContain('%0Asecond line: 50%25, ok');
    expect(lines[0]).toContain('50%25');
    expect(lines.filter((l) => l.startsWith('::warning '))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('::notice title=unused waiver::'))).toBe(true);
  });

  it('written in chunks, every format is the same text, and JSON is pretty-printed JSON', () => {
    const report = sampleReport();
    for (const format of REPORT_FORMATS) {
      expect([...reportChunks(report, format)].join(''), format).toBe(formatReport(report, format));
    }
    const json = formatReport(report, 'json');
    expect(json).toBe(`${JSON.stringify(JSON.parse(json), null, 2)}\n`);
    const empty = formatReport({ ...report, findings: [] }, 'json');
    expect(empty).toBe(`${JSON.stringify(JSON.parse(empty), null, 2)}\n`);
    expect(JSON.parse(empty).findings).toEqual([]);
  });
});
