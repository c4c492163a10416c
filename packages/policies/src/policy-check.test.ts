import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../test-fixtures/paths.ts';
import type { Finding } from './findings.ts';
import { formatReport, REPORT_FORMATS } from './formats/report-format.ts';
import { PolicyBundle } from './policy-bundle.ts';
import { runPolicyCheck } from './policy-check.ts';

const PLAN = fixture('terraform/plan.json');

describe('policy check end to end (real wasm bundle)', () => {
  let bundle: PolicyBundle;
  beforeAll(async () => {
    bundle = await PolicyBundle.load();
  });

  const multiAz = (findings: readonly Finding[]) =>
    Object.fromEntries(
      findings.filter((f) => f.rule === 'rds.multi-az').map((f) => [f.address, f]),
    );

  it('judges three-valued, module-aware, skips deletions and judges no-op resources', async () => {
    const report = await runPolicyCheck({
      target: PLAN,
      version: 'test',
      bundle,
      cwd: fixture('.'),
    });
    const byAddress = multiAz(report.findings);
    // Full module address with the count index; the value is known and good.
    expect(byAddress['module.db.aws_db_instance.this[0]']?.status).toBe('pass');
    // multi_az comes from a computed reference: unknown, naming the live check.
    expect(byAddress['module.db.aws_db_instance.replica']?.status).toBe('unknown');
    expect(byAddress['module.db.aws_db_instance.replica']?.liveCheck).toBe('rds.multi-az');
    // no-op: already deployed, still judged (drift).
    expect(byAddress['aws_db_instance.legacy']?.status).toBe('fail');
    // Being deleted: not judged at all.
    expect(byAddress['aws_db_instance.retired']).toBeUndefined();
    expect(report.findings.some((f) => f.address === 'aws_db_instance.retired')).toBe(false);
    expect(report.summary.passed).toBe(false);
  });

  it('places findings on the .tf line that declares the resource', async () => {
    const report = await runPolicyCheck({
      target: PLAN,
      version: 'test',
      bundle,
      cwd: fixture('.'),
    });
    const byAddress = multiAz(report.findings);
    expect(byAddress['aws_db_instance.legacy']).toMatchObject({
      file: 'terraform/main.tf',
      line: 7,
    });
    expect(byAddress['module.db.aws_db_instance.this[0]']).toMatchObject({
      file: 'terraform/modules/db/main.tf',
      line: 11,
    });
  });

  it('never prints a sensitive value, in any format', async () => {
    const report = await runPolicyCheck({
      target: PLAN,
      version: 'test',
      bundle,
      cwd: fixture('.'),
    });
    expect(report.findings.length).toBeGreaterThan(0);
    for (const format of REPORT_FORMATS) {
      expect(formatReport(report, format)).not.toContain('do-not-print-me');
    }
    // Negative twin: the secret is in the input file.
    expect(await readFile(PLAN, 'utf8')).toContain('do-not-print-me');
  });

  it('lists every rule with complete metadata', async () => {
    const report = await runPolicyCheck({
      target: fixture('empty-plan.json'),
      version: 'test',
      bundle,
    });
    expect(report.findings).toEqual([]);
    expect(report.summary.passed).toBe(true);
    const evaluation = await bundle.evaluate({
      kind: 'terraform-plan',
      params: {},
      plan: { format_version: '1.2', resource_changes: [] },
    });
    expect(evaluation.rules.length).toBeGreaterThan(10);
    for (const rule of evaluation.rules) {
      expect(rule.id).toMatch(/^[a-z0-9]+(?:[.-][a-z0-9]+)+$/);
      expect(rule.title.length, rule.id).toBeGreaterThan(5);
      expect(rule.remediation.length, rule.id).toBeGreaterThan(5);
    }
  });

  it('judges Kubernetes manifests with file and line', async () => {
    const report = await runPolicyCheck({
      version: 'test',
      target: fixture('manifests/app.yaml'),
      bundle,
      cwd: fixture('.'),
    });
    const worker = report.findings.filter((f) => f.address === 'Deployment/default/worker');
    expect(worker.length).toBeGreaterThan(0);
    expect(worker.every((f) => f.file === 'manifests/app.yaml' && f.line === 13)).toBe(true);
    expect(worker.some((f) => f.status === 'fail')).toBe(true);
  });
});
