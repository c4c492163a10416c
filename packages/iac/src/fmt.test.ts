import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { resolveTool } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTofu } from './tofu.ts';

const TERRAFORM_ROOT = repoPath('terraform');

// OpenTofu is a core tool (tools/go/opentofu): in CI a missing binary fails this suite; on a
// developer machine without it the suite is skipped with the reason.
function findTofu(): { path?: string; reason?: string } {
  try {
    return { path: resolveTool('tofu').path };
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    return { reason: (err as Error).message };
  }
}
const tofu = findTofu();
if (tofu.reason !== undefined) console.warn(`[iac] skipping tofu fmt checks: ${tofu.reason}`);

describe.skipIf(tofu.path === undefined)('tofu fmt', () => {
  const tofuPath = tofu.path as string;
  let scratch = '';
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'stackproof-fmt-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('terraform/ is formatted (tofu fmt -check -recursive)', async () => {
    const r = await runTofu(tofuPath, ['fmt', '-check', '-recursive', '-diff', '.'], {
      cwd: TERRAFORM_ROOT,
    });
    // fmt -check lists unformatted files on stdout (-diff adds the diff); stderr may hold CLI
    // config warnings unrelated to formatting.
    expect(r.stdout, 'run: tofu fmt -recursive terraform/').toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('fails on an unformatted file and names it', async () => {
    writeFileSync(
      join(scratch, 'main.tf'),
      'resource "aws_vpc" "this" {\ncidr_block="10.0.0.0/16"\n  enable_dns_support =   true\n}\n',
    );
    const r = await runTofu(tofuPath, ['fmt', '-check', '-recursive', '.'], { cwd: scratch });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('main.tf');
  });
});
