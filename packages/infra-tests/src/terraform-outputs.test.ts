import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTerraformOutputs, TerraformOutputsError } from './index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-outputs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadTerraformOutputs', () => {
  it('returns values per workspace and drops sensitive outputs', async () => {
    await writeFile(
      join(dir, 'network.json'),
      JSON.stringify({
        vpc_id: { sensitive: false, type: 'string', value: 'vpc-123' },
        private_subnet_ids: { sensitive: false, type: ['list', 'string'], value: ['a', 'b', 'c'] },
        secret: { sensitive: true, type: 'string', value: 'hunter2' },
      }),
    );
    const outputs = await loadTerraformOutputs(dir);
    expect(outputs.get('network')).toEqual({
      vpc_id: 'vpc-123',
      private_subnet_ids: ['a', 'b', 'c'],
    });
    expect(JSON.stringify([...outputs])).not.toContain('hunter2');
  });

  it('refuses a file that is not terraform output -json (bare values)', async () => {
    await writeFile(join(dir, 'rds.json'), JSON.stringify({ endpoint: 'db:5432' }));
    await expect(loadTerraformOutputs(dir)).rejects.toThrow(
      /rds\.json is not 'terraform output -json' output: output 'endpoint' is not an object/,
    );
  });

  it('refuses an empty directory with the command to fix it', async () => {
    await expect(loadTerraformOutputs(dir)).rejects.toBeInstanceOf(TerraformOutputsError);
    await expect(loadTerraformOutputs(dir)).rejects.toThrow(/terraform output -json >/);
  });

  it('refuses a missing directory as bad input, not an internal error', async () => {
    const missing = loadTerraformOutputs(join(dir, 'absent'));
    await expect(missing).rejects.toBeInstanceOf(TerraformOutputsError);
    await expect(missing).rejects.toMatchObject({ kind: 'bad-input' });
    await expect(missing).rejects.toThrow(/there is no outputs directory .*absent/);
  });
});
