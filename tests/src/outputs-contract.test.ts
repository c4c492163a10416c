import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { outputsFileName, repoPath, type TerraformOutputsDocument } from '@stackproof/core';
import {
  DEFAULT_LIVE_EXPECTATIONS,
  liveWorkspaces,
  readStackOutputs,
  TerraformOutputsError,
} from '@stackproof/infra-tests';
import { writeTerraformOutputs } from '@stackproof/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The outputs contract (core's terraform-outputs.ts): what CI and the sandbox write after an
// apply is exactly what the live suite reads. Each side is the real code: the sandbox's writer,
// infra-tests' reader, the workflow's own shell expression for the file names.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-outputs-contract-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const network: TerraformOutputsDocument = {
  vpc_id: { sensitive: false, type: 'string', value: 'vpc-0abc' },
  private_subnet_ids: { sensitive: false, type: ['list', 'string'], value: ['a', 'b', 'c'] },
};
const cluster: TerraformOutputsDocument = {
  cluster_name: { sensitive: false, type: 'string', value: 'prod1' },
  admin_token: { sensitive: true, type: 'string', value: 'do-not-print-me' },
};

describe('the outputs contract', () => {
  it('what the sandbox writes, the live suite reads: values per workspace file, secrets dropped', async () => {
    await writeTerraformOutputs(dir, 'network', network);
    await writeTerraformOutputs(dir, 'eks/prod1/infra', cluster);
    expect((await readdir(dir)).sort()).toEqual(['eks-prod1-infra.json', 'network.json']);
    const read = await readStackOutputs(dir, liveWorkspaces(DEFAULT_LIVE_EXPECTATIONS));
    expect(read.workspaces).toEqual(['eks/prod1/infra', 'network']);
    expect(read.of('eks/prod1/infra')).toEqual({ cluster_name: 'prod1' });
    expect(read.of('network')).toEqual({ vpc_id: 'vpc-0abc', private_subnet_ids: ['a', 'b', 'c'] });
    expect(JSON.stringify([read.of('eks/prod1/infra'), read.of('network')])).not.toContain(
      'do-not-print-me',
    );
  });

  it('negative twin: the old sandbox file, and bare values in a workspace file, are refused', async () => {
    const workspaces = liveWorkspaces(DEFAULT_LIVE_EXPECTATIONS);
    await writeFile(
      join(dir, 'terraform-outputs.json'),
      JSON.stringify({ network: { vpc_id: 'vpc-0abc' } }),
    );
    const old = readStackOutputs(dir, workspaces);
    await expect(old).rejects.toBeInstanceOf(TerraformOutputsError);
    await expect(old).rejects.toThrow(/terraform-outputs\.json names no workspace of the stack/);
    await rm(join(dir, 'terraform-outputs.json'));
    await writeFile(join(dir, 'network.json'), JSON.stringify({ vpc_id: { value: 'vpc-0abc' } }));
    await expect(readStackOutputs(dir, workspaces)).rejects.toThrow(
      /output 'vpc_id' has no 'type', 'sensitive'/,
    );
  });

  it("names every workspace's file as the CI workflows do", async () => {
    const dir = repoPath('.github', 'workflows');
    // Each `terraform output -json > .../<name>.json` of a workflow, with the shell expression
    // that names the file, evaluated by bash for a workspace path held in its variable.
    const writes: { file: string; variable: string; expression: string }[] = [];
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yml'))) {
      const text = await readFile(join(dir, file), 'utf8');
      for (const m of text.matchAll(/output -json > "[^"]*\/(\$\{(\w+)[^}]*\}\.json)"/g)) {
        writes.push({ file, variable: m[2] as string, expression: m[1] as string });
      }
    }
    expect(
      writes.length,
      'the workflows write `terraform output -json` per workspace',
    ).toBeGreaterThan(0);
    for (const { file, variable, expression } of writes) {
      for (const workspace of ['_tfstate', 'network', 'eks/prod1/infra', 'services/backend']) {
        const { stdout } = await promisify(execFile)('bash', [
          '-c',
          `${variable}='${workspace}'; printf %s "${expression}"`,
        ]);
        expect(stdout, `${file}: ${expression}`).toBe(outputsFileName(workspace));
      }
    }
  });
});
