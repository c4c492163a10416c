import { appendFileSync, cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { afterEach, describe, expect, it } from 'vitest';
import { hashTerraformSources } from './source-hash.ts';

const TERRAFORM_ROOT = repoPath('terraform');

describe('hashTerraformSources', () => {
  let copy = '';
  afterEach(() => rmSync(copy, { recursive: true, force: true }));

  function freshCopy(): string {
    copy = mkdtempSync(join(tmpdir(), 'stackproof-tfhash-'));
    cpSync(TERRAFORM_ROOT, copy, { recursive: true, filter: (src) => !src.includes('.terraform') });
    return copy;
  }

  it('covers every workspace, module and fixture variant, and is stable across copies', () => {
    const original = hashTerraformSources(TERRAFORM_ROOT);
    expect(original.files).toContain('aws/network/main.tf');
    expect(original.files).toContain('modules/vpc/routing.tf');
    expect(original.files).toContain('scripts/plan-fixtures/fixtures.json');
    expect(original.files.some((f) => f.endsWith('.md'))).toBe(false);
    expect(hashTerraformSources(freshCopy()).sha256).toBe(original.sha256);
  });

  it('changes when a .tf file changes', () => {
    const dir = freshCopy();
    const before = hashTerraformSources(dir).sha256;
    appendFileSync(join(dir, 'modules', 'rds-postgres', 'main.tf'), '\n# changed\n');
    expect(hashTerraformSources(dir).sha256).not.toBe(before);
  });

  it('changes when a file is renamed, not when a README changes', () => {
    const dir = freshCopy();
    const before = hashTerraformSources(dir).sha256;
    appendFileSync(join(dir, 'aws', 'rds', 'README.md'), '\nmore prose\n');
    expect(hashTerraformSources(dir).sha256).toBe(before);
    renameSync(join(dir, 'aws', 'rds', 'outputs.tf'), join(dir, 'aws', 'rds', 'outs.tf'));
    expect(hashTerraformSources(dir).sha256).not.toBe(before);
  });
});
