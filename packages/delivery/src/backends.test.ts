import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { describe, expect, it } from 'vitest';
import {
  listEnvironments,
  parseBackendSettings,
  readBackendSettings,
  rootStateKey,
} from './backends.ts';
import { readWorkspaces } from './workspaces.ts';

describe('backend settings per environment', () => {
  it('staging and production each name a bucket, lock table, region and key, matching their _tfstate values', async () => {
    expect(listEnvironments()).toEqual(['production', 'staging']);
    for (const env of listEnvironments()) {
      const settings = readBackendSettings(env);
      // The names the _tfstate root (state-backend module) creates from state_bucket_name.
      const { readFileSync } = await import('node:fs');
      const tfvars = readFileSync(
        repoPath('terraform', 'environments', env, '_tfstate.tfvars'),
        'utf8',
      );
      const bucket = /^state_bucket_name\s*=\s*"([^"]+)"/m.exec(tfvars)?.[1];
      expect(settings.bucket).toBe(bucket);
      expect(settings.dynamodb_table).toBe(`${bucket}-lock`);
      expect(settings.kms_key_id).toBe(`alias/${bucket}`);
      expect(settings.region).toBe('me-central-1');
    }
  });

  it('every root fixes its own state key, <workspace>/terraform.tfstate', () => {
    for (const spec of readWorkspaces()) {
      expect(rootStateKey(repoPath('terraform', 'aws', spec.name))).toBe(
        `${spec.name}/terraform.tfstate`,
      );
    }
  });

  it('negative twin: a missing environment or a malformed line is refused with what to fix', () => {
    const empty = mkdtempSync(join(tmpdir(), 'stackproof-backends-'));
    try {
      expect(() => readBackendSettings('qa', empty)).toThrow(
        /environment 'qa' has no backend settings: create terraform\/environments\/qa\/backend\.s3\.tfbackend/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    expect(() =>
      parseBackendSettings('bucket = "a"\nregion me-central-1\n', 'x.tfbackend'),
    ).toThrow(/x\.tfbackend line 2: expected name = "value"/);
    expect(rootStateKey(repoPath('terraform', 'modules', 'vpc'))).toBeUndefined();
  });
});
