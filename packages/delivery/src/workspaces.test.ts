import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { resolveTool } from '@stackproof/toolchain';
import { afterAll, describe, expect, it } from 'vitest';
import { requiredVariables } from './workflows/workflow-check.ts';
import {
  outputsFileName,
  readWorkspaces,
  upstreamInputs,
  upstreamOf,
  writeInputsFile,
} from './workspaces.ts';

const terraformRoot = repoPath('terraform');
const specs = readWorkspaces();

function declarations(dir: string, kind: 'variable' | 'output'): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of ['variables.tf', 'outputs.tf']) {
    let text = '';
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch {
      continue;
    }
    for (const chunk of text.split(new RegExp(`^(?=${kind}\\s+")`, 'm'))) {
      const name = new RegExp(`^${kind}\\s+"([^"]+)"`).exec(chunk)?.[1];
      const description = /^\s*description\s*=\s*"((?:[^"\\]|\\.)*)"/m.exec(chunk)?.[1] ?? '';
      if (name !== undefined) found.set(name, description);
    }
  }
  return found;
}

describe('terraform/aws/workspaces.json', () => {
  it('lists every root of terraform/aws in apply order', () => {
    expect(specs.map((s) => s.name)).toEqual([
      '_tfstate',
      'network',
      'eks/prod1/infra',
      'rds',
      'eks/prod1/k8s',
      'services/backend',
      'services/frontend',
    ]);
    expect(upstreamOf(specs, 'services/backend')).toEqual(['eks/prod1/infra', 'rds']);
  });

  it('wires only variables and outputs that exist, and agrees with each variable’s description', () => {
    for (const spec of specs) {
      const variables = declarations(join(terraformRoot, 'aws', spec.name), 'variable');
      for (const [variable, source] of Object.entries(spec.inputs)) {
        expect(variables.has(variable), `${spec.name}: variable ${variable}`).toBe(true);
        const outputs = declarations(join(terraformRoot, 'aws', source.workspace), 'output');
        expect(outputs.has(source.output), `${source.workspace}: output ${source.output}`).toBe(
          true,
        );
        expect(variables.get(variable), `${spec.name}.${variable}'s description`).toMatch(
          new RegExp(
            `${source.workspace.split('/').pop()}(?: workspace)?'s ${source.output} output`,
          ),
        );
      }
      // The other way round: a variable whose description names a neighbour output is wired.
      for (const [variable, description] of variables) {
        if (/'s [a-z0-9_]+ output/.test(description)) {
          expect(spec.inputs[variable], `${spec.name}.${variable} is not wired`).toBeDefined();
        }
      }
    }
  });

  it('leaves no variable without a value: wired, defaulted, or (for _tfstate) in each environment', () => {
    for (const spec of specs) {
      const unset = requiredVariables(join(terraformRoot, 'aws', spec.name)).filter(
        (v) => spec.inputs[v] === undefined,
      );
      if (spec.name === '_tfstate') {
        for (const env of ['staging', 'production']) {
          const tfvars = readFileSync(
            join(terraformRoot, 'environments', env, '_tfstate.tfvars'),
            'utf8',
          );
          for (const v of unset)
            expect(tfvars, `${env}/_tfstate.tfvars sets ${v}`).toMatch(
              new RegExp(`^${v}\\s*=`, 'm'),
            );
        }
      } else {
        expect(unset, `${spec.name}: variables without a default or a wiring`).toEqual([]);
      }
    }
  });

  it('negative twin: an input from a workspace listed later is refused', () => {
    const copy = mkdtempSync(join(tmpdir(), 'stackproof-wiring-'));
    try {
      cpSync(join(terraformRoot, 'aws'), join(copy, 'aws'), { recursive: true });
      const file = join(copy, 'aws', 'workspaces.json');
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { workspaces: { name: string }[] };
      doc.workspaces.reverse();
      writeFileSync(file, JSON.stringify(doc));
      expect(() => readWorkspaces(copy)).toThrow(
        /not listed before it \(the list is the apply order\)/,
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

/** `terraform output -json` as the upstream workspaces would print it (values of the samples). */
const OUTPUTS: Record<string, Record<string, unknown>> = {
  network: {
    vpc_id: 'vpc-0a1b2c3d4e5f60718',
    private_subnet_ids: [
      'subnet-0aa1a1a1a1a1a1a1a',
      'subnet-0bb2b2b2b2b2b2b2b',
      'subnet-0cc3c3c3c3c3c3c3c',
    ],
    database_subnet_ids: [
      'subnet-0dd4d4d4d4d4d4d4d',
      'subnet-0ee5e5e5e5e5e5e5e',
      'subnet-0ff6f6f6f6f6f6f6f',
    ],
  },
  'eks/prod1/infra': {
    cluster_name: 'prod1',
    cluster_endpoint: 'https://0A1B2C3D.gr7.me-central-1.eks.amazonaws.com',
    cluster_certificate_authority_data: Buffer.from('-----BEGIN CERTIFICATE-----').toString(
      'base64',
    ),
    node_security_group_id: 'sg-0a1b2c3d4e5f60718',
  },
  rds: {
    master_user_secret_arn:
      'arn:aws:secretsmanager:me-central-1:123456789012:secret:rds!db-0a1b2c3d-AbCdEf',
    kms_key_arn: 'arn:aws:kms:me-central-1:123456789012:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
  },
};

async function writeOutputs(
  dir: string,
  only: readonly string[] = Object.keys(OUTPUTS),
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const workspace of only) {
    const doc = Object.fromEntries(
      Object.entries(OUTPUTS[workspace] ?? {}).map(([k, value]) => [
        k,
        { sensitive: false, type: 'string', value },
      ]),
    );
    writeFileSync(join(dir, outputsFileName(workspace)), JSON.stringify(doc));
  }
}

function findTofu(): string | undefined {
  try {
    return resolveTool('tofu').path;
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    return undefined;
  }
}

describe('upstreamInputs', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'stackproof-inputs-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('fills every wired variable of every workspace from the upstream outputs', async () => {
    const outputs = join(scratch, 'outputs');
    await writeOutputs(outputs);
    expect(await upstreamInputs('rds', outputs)).toEqual({
      vpc_id: OUTPUTS.network?.vpc_id,
      database_subnet_ids: OUTPUTS.network?.database_subnet_ids,
      eks_node_security_group_id: 'sg-0a1b2c3d4e5f60718',
    });
    for (const spec of specs) {
      expect(Object.keys(await upstreamInputs(spec.name, outputs)).sort()).toEqual(
        Object.keys(spec.inputs).sort(),
      );
    }
  });

  // The written file passes each root's own variable validation: OpenTofu plans the root's
  // variables.tf alone (no provider needed) with the file as the only source of values.
  it.skipIf(findTofu() === undefined)(
    'writes tfvars that each root’s variable validation accepts',
    async () => {
      const { runTofu } = await import('./tofu-run.test-helpers.ts');
      const outputs = join(scratch, 'outputs');
      await writeOutputs(outputs);
      for (const spec of specs.filter((s) => Object.keys(s.inputs).length > 0)) {
        const dir = join(scratch, spec.name.replaceAll('/', '-'));
        await mkdir(dir, { recursive: true });
        cpSync(join(terraformRoot, 'aws', spec.name, 'variables.tf'), join(dir, 'variables.tf'));
        await writeInputsFile(
          join(dir, 'upstream.auto.tfvars.json'),
          await upstreamInputs(spec.name, outputs),
        );
        const r = runTofu(findTofu() as string, dir, [
          'plan',
          '-input=false',
          '-lock=false',
          '-no-color',
        ]);
        expect(r.output, spec.name).not.toMatch(/Error/);
        expect(r.status, spec.name).toBe(0);
      }
    },
  );

  it('negative twin: an upstream never applied (no outputs) says which workspace to apply', async () => {
    const outputs = join(scratch, 'empty');
    await mkdir(outputs, { recursive: true });
    writeFileSync(join(outputs, 'network.json'), '{}');
    writeFileSync(join(outputs, 'eks-prod1-infra.json'), '{}');
    await expect(upstreamInputs('rds', outputs)).rejects.toMatchObject({
      code: 'UPSTREAM_NOT_APPLIED',
      kind: 'environment',
      message: expect.stringMatching(
        /no output network's vpc_id \(for vpc_id\).*apply network and eks\/prod1\/infra/,
      ),
    });
  });

  it('negative twin: a missing outputs file or an unknown workspace is bad input', async () => {
    const outputs = join(scratch, 'partial');
    await writeOutputs(outputs, ['network']);
    await expect(upstreamInputs('rds', outputs)).rejects.toMatchObject({
      code: 'OUTPUTS_INVALID',
      message: expect.stringContaining('eks-prod1-infra.json is missing'),
    });
    await expect(upstreamInputs('eks/prod2/infra', outputs)).rejects.toMatchObject({
      code: 'UNKNOWN_WORKSPACE',
    });
    expect(await readFile(join(outputs, 'network.json'), 'utf8')).toContain('vpc_id');
  });
});
