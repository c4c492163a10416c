import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { repoPath } from '@stackproof/core';
import { hashTerraformSources } from '@stackproof/iac';
import { startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ec2For } from './ec2.test-helpers.ts';
import { AwsStateRecordError } from './errors.ts';
import { AWS_STATE_RECORDING_FILE, describeAwsState } from './state-manifest.ts';
import { MOTO_EXCLUDED_RESOURCES, recordAwsState, variableSources } from './state-record.ts';
import { restoreAwsState } from './state-restore.ts';

// recordAwsState drives OpenTofu with the hashicorp/aws provider, which cannot be obtained on this
// machine (docs/toolchain.md). These tests run it with FAKE_TOFU below — a stand-in, named as
// such, that answers the same commands (version, init, apply, output, plan, show) and makes its
// "apply" as real API calls to the moto endpoint the override file names. Everything else is real:
// moto, its recorder, the scratch copy of terraform/, the chaining of outputs into the next
// workspace's variables, the replay into a fresh moto and the plan comparison.
const FAKE_TOFU = String.raw`
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
const args = process.argv.slice(2);
const ws = process.cwd().split('/aws/').pop();
const endpoint = () => /"(http:\/\/127\.0\.0\.1:\d+)"/.exec(readFileSync('moto_override.tf', 'utf8'))[1];
const vars = Object.assign({}, ...args.filter((a) => a.startsWith('-var-file=') && a.endsWith('.json'))
  .map((a) => JSON.parse(readFileSync(a.slice('-var-file='.length), 'utf8'))));
async function ec2(params) {
  const r = await fetch(endpoint() + '/', {
    method: 'POST',
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/' + vars.region + '/ec2/aws4_request, SignedHeaders=host, Signature=fake',
    },
  });
  return { status: r.status, text: await r.text() };
}
const tag = (text, name) => new RegExp('<' + name + '>([^<]+)</' + name + '>').exec(text)?.[1];
const state = () => JSON.parse(readFileSync('fake-state.json', 'utf8'));
switch (args[0]) {
  case 'version': console.log(JSON.stringify({ terraform_version: '0.0.0-fake' })); break;
  case 'init':
    writeFileSync('.terraform.lock.hcl', 'provider "registry.opentofu.org/hashicorp/aws" {\n  version = "0.0.0-fake"\n}\n');
    break;
  case 'apply': {
    if (process.env.FAKE_TOFU_FAIL === ws) { console.error('Error: fake apply failure in ' + ws); process.exit(1); }
    if (ws === 'network') {
      const vpcId = tag((await ec2({ Action: 'CreateVpc', CidrBlock: '10.20.0.0/16' })).text, 'vpcId');
      const subnets = [];
      for (const [i, az] of ['a', 'b', 'c'].entries()) {
        const r = await ec2({ Action: 'CreateSubnet', VpcId: vpcId, CidrBlock: '10.20.' + i + '.0/24', AvailabilityZone: vars.region + az });
        subnets.push(tag(r.text, 'subnetId'));
      }
      writeFileSync('fake-state.json', JSON.stringify({ endpoint: endpoint(), outputs: { vpc_id: vpcId, database_subnet_ids: subnets } }));
    } else if (ws === 'rds') {
      if (!vars.vpc_id?.startsWith('vpc-')) { console.error('Error: vpc_id did not come from the network outputs'); process.exit(1); }
      const r = await ec2({ Action: 'CreateSecurityGroup', GroupName: 'rds', GroupDescription: 'rds', VpcId: vars.vpc_id });
      writeFileSync('fake-state.json', JSON.stringify({ endpoint: endpoint(), outputs: { security_group_id: tag(r.text, 'groupId') } }));
    }
    break;
  }
  case 'output':
    console.log(JSON.stringify(Object.fromEntries(Object.entries(state().outputs)
      .map(([k, v]) => [k, { value: v, type: 'string', sensitive: false }]))));
    break;
  case 'plan': {
    const out = args.find((a) => a.startsWith('-out=')).slice('-out='.length);
    const { outputs } = state();
    const id = outputs.vpc_id ?? outputs.security_group_id;
    const r = id.startsWith('vpc-')
      ? await ec2({ Action: 'DescribeVpcs', 'VpcId.1': id })
      : await ec2({ Action: 'DescribeSecurityGroups', 'GroupId.1': id });
    const drift = process.env.FAKE_TOFU_DRIFT === ws && endpoint() !== state().endpoint;
    const changes = r.status === 200 && !drift ? [] : [{ address: ws + '.main', change: { actions: ['create'] } }];
    writeFileSync(out, JSON.stringify({ resource_changes: changes }));
    break;
  }
  case 'show': console.log(readFileSync(args[args.length - 1], 'utf8')); break;
  default: console.error('fake tofu: unexpected ' + args.join(' ')); process.exit(1);
}
`;

const terraformRoot = repoPath('terraform');
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-aws-record-'));
  const script = join(dir, 'fake-tofu.mjs');
  await writeFile(script, FAKE_TOFU);
  const wrapper = join(dir, 'tofu');
  await writeFile(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`, {
    mode: 0o755,
  });
  // The IaC tier's marker: a CLI config naming a filesystem mirror that holds hashicorp/aws.
  const mirror = join(dir, 'mirror');
  await mkdir(join(mirror, 'registry.opentofu.org', 'hashicorp', 'aws'), { recursive: true });
  const cliConfig = join(dir, 'fake.tfrc');
  await writeFile(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`,
  );
  env = { ...process.env, TOFU_BIN: wrapper, TF_CLI_CONFIG_FILE: cliConfig };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each record starts two moto servers (record, verify) and runs the stand-in a dozen times.
describe('variableSources', () => {
  it('reads which neighbour output feeds each variable from the roots’ descriptions', () => {
    const rds = variableSources(join(terraformRoot, 'aws', 'rds'));
    expect(rds.get('vpc_id')).toEqual({ workspace: 'network', output: 'vpc_id' });
    expect(rds.get('database_subnet_ids')).toEqual({
      workspace: 'network',
      output: 'database_subnet_ids',
    });
    // Named differently on the two sides: a name match would miss it.
    expect(rds.get('eks_node_security_group_id')).toEqual({
      workspace: 'eks/prod1/infra',
      output: 'node_security_group_id',
    });
    const backend = variableSources(join(terraformRoot, 'aws', 'services', 'backend'));
    expect(backend.get('database_secret_arn')).toEqual({
      workspace: 'rds',
      output: 'master_user_secret_arn',
    });
  });

  it('gives no source for a variable that is the workspace’s own setting', () => {
    const rds = variableSources(join(terraformRoot, 'aws', 'rds'));
    expect(rds.has('engine_version')).toBe(true);
    expect(rds.get('engine_version')).toBeUndefined();
  });

  it('excludes only addresses that exist in the terraform sources', async () => {
    for (const addresses of Object.values(MOTO_EXCLUDED_RESOURCES)) {
      for (const address of addresses) {
        const [, module, type, name] = /^module\.(\w+)\.(\w+)\.(\w+)$/.exec(address) ?? [];
        expect(module, address).toBeDefined();
        const moduleDir = { cluster: 'eks-cluster', service: 'service' }[module ?? ''];
        const sources = await Promise.all(
          ['main.tf', 'node_groups.tf'].map((f) =>
            readFile(join(terraformRoot, 'modules', moduleDir ?? '', f), 'utf8').catch(() => ''),
          ),
        );
        expect(sources.join('\n'), address).toContain(`resource "${type}" "${name}"`);
      }
    }
  });
});

describe('recordAwsState (with a fake OpenTofu)', { timeout: 120_000 }, () => {
  it('applies the workspaces in order into a recording, and the recording restores them', async () => {
    const outDir = join(dir, 'aws-state');
    const lines: string[] = [];
    const manifest = await recordAwsState({
      terraformRoot,
      outDir,
      workspaces: ['network', 'rds'],
      env,
      log: (line) => lines.push(line),
    });
    expect(manifest.workspaces.map((w) => w.name)).toEqual(['network', 'rds']);
    expect(manifest.workspaces.map((w) => w.excluded)).toEqual([[], []]);
    // Each workspace's outputs exactly as `tofu output -json` printed them (the outputs contract).
    expect(manifest.workspaces[0]?.outputs.vpc_id).toMatchObject({
      sensitive: false,
      type: 'string',
    });
    const vpcId = manifest.workspaces[0]?.outputs.vpc_id?.value;
    const sgId = manifest.workspaces[1]?.outputs.security_group_id?.value;
    expect(vpcId).toMatch(/^vpc-/);
    expect(sgId).toMatch(/^sg-/);
    expect(manifest.source).toEqual({
      kind: 'tofu-apply',
      tofuVersion: '0.0.0-fake',
      awsProviderVersion: '0.0.0-fake',
      terraformSourceHash: hashTerraformSources(terraformRoot).sha256,
    });
    expect(manifest.statuses).toHaveLength(manifest.requestCount);
    expect(lines.join('\n')).toMatch(/2\/2 rds: tofu init \+ apply/);
    expect(await describeAwsState(outDir, { terraformRoot })).toMatchObject({
      available: true,
      workspaces: ['network', 'rds'],
      stale: false,
    });

    await using target = await startMotoServer({ logFile: join(dir, 'moto-restore.log') });
    await restoreAwsState(target, join(outDir, AWS_STATE_RECORDING_FILE));
    using clients = ec2For(target);
    const vpcs = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [String(vpcId)] }));
    expect(vpcs.Vpcs?.[0]?.CidrBlock).toBe('10.20.0.0/16');
    const groups = await clients.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [String(sgId)] }),
    );
    expect(groups.SecurityGroups?.[0]?.VpcId).toBe(vpcId);
  });

  it('fails naming the workspace whose apply failed, and writes nothing', async () => {
    const outDir = join(dir, 'failed');
    const record = recordAwsState({
      terraformRoot,
      outDir,
      workspaces: ['network', 'rds'],
      env: { ...env, FAKE_TOFU_FAIL: 'rds' },
      log: () => undefined,
    });
    await expect(record).rejects.toBeInstanceOf(AwsStateRecordError);
    await expect(record).rejects.toMatchObject({ failure: 'tofu-failed', workspace: 'rds' });
    await expect(record).rejects.toThrow(/fake apply failure in rds/);
    expect(existsSync(outDir)).toBe(false);
  });

  it('rejects a recording whose replay plans differently from the applied account', async () => {
    const outDir = join(dir, 'drifted');
    const record = recordAwsState({
      terraformRoot,
      outDir,
      workspaces: ['network'],
      env: { ...env, FAKE_TOFU_DRIFT: 'network' },
      log: () => undefined,
    });
    await expect(record).rejects.toMatchObject({
      failure: 'replay-diverged',
      workspace: 'network',
    });
    expect(existsSync(outDir) ? await readdir(outDir) : []).toEqual([]);
  });

  it('refuses a workspace that does not exist before starting anything', async () => {
    const record = recordAwsState({
      terraformRoot,
      outDir: join(dir, 'bad'),
      workspaces: ['no-such-workspace'],
      env,
    });
    await expect(record).rejects.toMatchObject({ failure: 'bad-input' });
  });
});
