import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_EXPECTATIONS, liveWorkspaces } from './live-expectations.ts';
import { readStackOutputs, TerraformOutputsError } from './terraform-outputs.ts';

const WORKSPACES = liveWorkspaces(DEFAULT_LIVE_EXPECTATIONS);
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-outputs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readStackOutputs', () => {
  it('returns values per workspace and drops sensitive outputs', async () => {
    await writeFile(
      join(dir, 'network.json'),
      JSON.stringify({
        vpc_id: { sensitive: false, type: 'string', value: 'vpc-123' },
        private_subnet_ids: { sensitive: false, type: ['list', 'string'], value: ['a', 'b', 'c'] },
        secret: { sensitive: true, type: 'string', value: 'hunter2' },
      }),
    );
    await writeFile(
      join(dir, 'eks-prod1-infra.json'),
      JSON.stringify({ cluster_name: { sensitive: false, type: 'string', value: 'prod1' } }),
    );
    const outputs = await readStackOutputs(dir, WORKSPACES);
    expect(outputs.workspaces).toEqual(['eks/prod1/infra', 'network']);
    expect(outputs.string('network', 'vpc_id')).toBe('vpc-123');
    expect(outputs.strings('network', 'private_subnet_ids')).toEqual(['a', 'b', 'c']);
    expect(outputs.string('eks/prod1/infra', 'cluster_name')).toBe('prod1');
    expect(JSON.stringify(outputs.of('network'))).not.toContain('hunter2');
    expect(() => outputs.string('network', 'secret')).toThrow(/has no output 'secret'/);
    expect(outputs.missing('rds')).toMatch(/no rds\.json in .*: workspace rds was not applied/);
  });

  it('refuses a file that is not terraform output -json', async () => {
    await writeFile(join(dir, 'rds.json'), JSON.stringify({ endpoint: 'db:5432' }));
    await expect(readStackOutputs(dir, WORKSPACES)).rejects.toThrow(
      /output 'endpoint' is not an object/,
    );
  });

  it('refuses malformed JSON naming the file', async () => {
    await writeFile(join(dir, 'rds.json'), '{"endpoint": ');
    await expect(readStackOutputs(dir, WORKSPACES)).rejects.toThrow(/rds\.json is not JSON/);
  });

  it('refuses a file that names no workspace of the stack, listing the known names', async () => {
    await writeFile(join(dir, 'netwrok.json'), '{}');
    const error = await readStackOutputs(dir, WORKSPACES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TerraformOutputsError);
    expect((error as Error).message).toMatch(
      /netwrok\.json names no workspace of the stack .*eks-prod1-infra\.json/,
    );
    expect((error as TerraformOutputsError).kind).toBe('bad-input');
  });

  it('refuses a missing or empty directory with the command to fix it', async () => {
    await expect(readStackOutputs(join(dir, 'nope'), WORKSPACES)).rejects.toThrow(
      /does not exist; write each workspace's outputs there with 'terraform output -json/,
    );
    await expect(readStackOutputs(dir, WORKSPACES)).rejects.toThrow(/holds no <workspace>\.json/);
  });
});
