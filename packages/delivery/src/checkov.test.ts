import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { resolveTool } from '@stackproof/toolchain';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKOV_VERSION, describeCheckovResult, runCheckov } from './checkov.ts';

// Checkov is installed by tools/bootstrap.sh (PyPI, pinned): in CI a missing Checkov fails the
// suite; on a machine without it the scan is skipped with the reason.
function findCheckov(): string | undefined {
  try {
    return resolveTool('checkov').path;
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    console.warn(`[delivery] skipping the Checkov scan: ${(error as Error).message}`);
    return undefined;
  }
}

describe.skipIf(findCheckov() === undefined)('Checkov on terraform/', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'stackproof-checkov-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it(`passes Checkov ${CHECKOV_VERSION}, every deviation skipped with its reason where it lives`, async () => {
    const scan = await runCheckov(repoPath('terraform'));
    expect(scan.version).toBe(CHECKOV_VERSION);
    expect(scan.parsingErrors).toEqual([]);
    expect(scan.failed.map(describeCheckovResult)).toEqual([]);
    expect(scan.passed).toBeGreaterThan(300);
    // A skip without a reason is a failure waved through.
    const unexplained = scan.skipped.filter((s) => (s.suppressComment ?? '').length < 40);
    expect(unexplained.map(describeCheckovResult)).toEqual([]);
  });

  it('negative twin: a deliberately broken copy of a module fails the scan', async () => {
    const copy = join(scratch, 'terraform');
    cpSync(repoPath('terraform'), copy, {
      recursive: true,
      filter: (src) => !src.includes('.terraform'),
    });
    // The RDS key without rotation, and the NACL rule without its justified skips.
    const rds = join(copy, 'modules', 'rds-postgres', 'main.tf');
    writeFileSync(
      rds,
      readFileSync(rds, 'utf8').replace(
        'enable_key_rotation     = true',
        'enable_key_rotation     = false',
      ),
    );
    const nacls = join(copy, 'modules', 'vpc', 'nacls.tf');
    writeFileSync(
      nacls,
      readFileSync(nacls, 'utf8')
        .split('\n')
        .filter((line) => !line.includes('checkov:skip=CKV_AWS_352'))
        .join('\n'),
    );
    const scan = await runCheckov(copy);
    const failed = scan.failed.map((f) => `${f.checkId} ${f.resource}`);
    expect(failed).toContain('CKV_AWS_7 module.postgres.aws_kms_key.this');
    expect(failed).toContain('CKV_AWS_352 module.vpc.aws_network_acl_rule.allow_all_in');
    expect(failed).toHaveLength(2);
  });
});
