import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { DEFAULT_ZONES, repoPath } from '@stackproof/core';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ec2For } from './ec2.test-helpers.ts';
import { AwsStateRecordError, AwsStateRecordingError, AwsStateRestoreError } from './errors.ts';
import {
  beginAwsStateRecording,
  finishAwsStateRecording,
  recordedRequestCount,
} from './state-capture.ts';
import {
  AWS_STATE_MANIFEST_FILE,
  AWS_STATE_RECORDING_FILE,
  describeAwsState,
} from './state-manifest.ts';
import { recordAwsState } from './state-record.ts';
import { restoreAwsState } from './state-restore.ts';

// A recording made here, by real SDK calls against moto: a VPC and a subnet per zone. The subnets
// name the VPC by id, so they only replay if the replay reproduces that id.
let dir: string;
let stateDir: string;
let recorder: MotoServer;
let vpcId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-aws-state-'));
  stateDir = join(dir, 'aws-state');
  recorder = await startMotoServer({ logFile: join(dir, 'moto-record.log') });
  await beginAwsStateRecording(recorder.endpoint, 4242);
  const firstRequest = await recordedRequestCount(recorder.endpoint);
  using clients = ec2For(recorder);
  const vpc = await clients.ec2.send(
    new CreateVpcCommand({
      CidrBlock: '10.20.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'recorded' }] }],
    }),
  );
  vpcId = vpc.Vpc?.VpcId ?? '';
  for (const [i, zone] of DEFAULT_ZONES.entries()) {
    await clients.ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.20.${i}.0/24`,
        AvailabilityZone: zone,
      }),
    );
  }
  await finishAwsStateRecording(recorder, {
    outDir: stateDir,
    region: recorder.region,
    logDir: dir,
    source: { kind: 'sdk', description: 'aws-state.test.ts: a VPC over three zones' },
    workspaces: [
      {
        name: 'test-network',
        firstRequest,
        requestCount: (await recordedRequestCount(recorder.endpoint)) - firstRequest,
        excluded: [],
        outputs: { vpc_id: { sensitive: false, type: 'string', value: vpcId } },
      },
    ],
  });
}, 120_000);

afterAll(async () => {
  await recorder?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function freshEmulator(name: string): Promise<MotoServer> {
  return startMotoServer({ logFile: join(dir, `moto-${name}.log`) });
}

describe('restoreAwsState', () => {
  it('recreates the recorded VPC and subnets, with the same ids, in a fresh moto', async () => {
    await using target = await freshEmulator('restore');
    const restored = await restoreAwsState(target, join(stateDir, AWS_STATE_RECORDING_FILE));
    expect(restored.verifiedBy).toBe('statuses');
    expect(restored.workspaces.map((w) => w.name)).toEqual(['test-network']);
    expect(restored.workspaces[0]?.outputs).toEqual({
      vpc_id: { sensitive: false, type: 'string', value: vpcId },
    });

    using clients = ec2For(target);
    const vpcs = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    expect(vpcs.Vpcs?.[0]?.CidrBlock).toBe('10.20.0.0/16');
    expect(vpcs.Vpcs?.[0]?.Tags).toContainEqual({ Key: 'Name', Value: 'recorded' });
    const subnets = await clients.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    expect(subnets.Subnets?.map((s) => s.AvailabilityZone).sort()).toEqual([...DEFAULT_ZONES]);
  });

  it('restores a bare recording without its manifest, checking only for moto failures', async () => {
    const bare = join(dir, 'bare.jsonl');
    await cp(join(stateDir, AWS_STATE_RECORDING_FILE), bare);
    await using target = await freshEmulator('bare');
    const restored = await restoreAwsState(target, bare);
    expect(restored).toMatchObject({ verifiedBy: 'no-server-errors', workspaces: [] });
    using clients = ec2For(target);
    const vpcs = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    expect(vpcs.Vpcs).toHaveLength(1);
  });

  it('finds nothing of it in a moto that was not restored (the positive case is no accident)', async () => {
    await using target = await freshEmulator('empty');
    using clients = ec2For(target);
    const vpcs = await clients.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.20.0.0/16'] }] }),
    );
    expect(vpcs.Vpcs).toEqual([]);
  });

  it('reports a replay that diverges from the recording, naming the request', async () => {
    // Without the reset, moto's EC2 backend already exists (made before the seed, with other
    // random ids), so the VPC gets another id and the first CreateSubnet naming it fails.
    await using target = await freshEmulator('diverge');
    using clients = ec2For(target);
    await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.99.0.0/16' }));
    const restore = restoreAwsState(target, join(stateDir, AWS_STATE_RECORDING_FILE), {
      reset: false,
    });
    await expect(restore).rejects.toBeInstanceOf(AwsStateRestoreError);
    await expect(restore).rejects.toThrow(/ec2 CreateSubnet\) answered 400, expected 200/);
  });

  it('refuses a missing recording with a clear error', async () => {
    const restore = restoreAwsState('http://127.0.0.1:9', join(dir, 'nowhere', 'recording.jsonl'));
    await expect(restore).rejects.toBeInstanceOf(AwsStateRecordingError);
    await expect(restore).rejects.toThrow(/recording\.jsonl: the file does not exist/);
  });

  it('refuses a corrupt recording, naming the line, before touching the emulator', async () => {
    const copy = join(dir, 'corrupt');
    await cp(stateDir, copy, { recursive: true });
    await appendFile(join(copy, AWS_STATE_RECORDING_FILE), '{"method": "POST", "url": \n');
    const lines = (await readFile(join(copy, AWS_STATE_RECORDING_FILE), 'utf8')).split('\n');
    const restore = restoreAwsState('http://127.0.0.1:9', join(copy, AWS_STATE_RECORDING_FILE));
    await expect(restore).rejects.toBeInstanceOf(AwsStateRecordingError);
    await expect(restore).rejects.toThrow(new RegExp(`line ${lines.length - 1} is not JSON`));
  });

  it('refuses a recording edited after it was made (valid JSON, wrong hash)', async () => {
    const copy = join(dir, 'edited');
    await cp(stateDir, copy, { recursive: true });
    const file = join(copy, AWS_STATE_RECORDING_FILE);
    // moto stores bodies base64-encoded; a header is as good a place as any to tamper with.
    const text = await readFile(file, 'utf8');
    expect(text).toContain('aws-sdk-js');
    await writeFile(file, text.replace('aws-sdk-js', 'aws-sdk-jz'));
    await expect(restoreAwsState('http://127.0.0.1:9', file)).rejects.toThrow(
      /does not match .*manifest\.json \(sha256 differs\)/,
    );
  });

  it('refuses a recording that does not start with the seed', async () => {
    const file = join(dir, 'unseeded.jsonl');
    const lines = (await readFile(join(stateDir, AWS_STATE_RECORDING_FILE), 'utf8')).split('\n');
    await writeFile(file, lines.slice(1).join('\n'));
    await expect(restoreAwsState('http://127.0.0.1:9', file)).rejects.toThrow(
      /not POST \/moto-api\/seed\?a=<n>/,
    );
  });
});

describe('describeAwsState', () => {
  it('reports the recording and the workspaces it covers', async () => {
    const summary = await describeAwsState(stateDir);
    expect(summary).toMatchObject({
      available: true,
      recordingExists: true,
      manifestExists: true,
      workspaces: ['test-network'],
      region: 'me-central-1',
      problems: [],
    });
    expect(summary.requestCount).toBeGreaterThan(DEFAULT_ZONES.length);
  });

  it('reports an empty directory as having nothing to restore', async () => {
    const summary = await describeAwsState(join(dir, 'none'));
    expect(summary.available).toBe(false);
    expect(summary.workspaces).toEqual([]);
    expect(summary.problems.join('\n')).toMatch(new RegExp(`no ${AWS_STATE_MANIFEST_FILE}`));
  });
});

describe('recordAwsState', () => {
  it('names the missing hashicorp/aws provider when the IaC tier is not built', async () => {
    const record = recordAwsState({
      terraformRoot: repoPath('terraform'),
      outDir: join(dir, 'never'),
      env: { ...process.env, TF_CLI_CONFIG_FILE: join(dir, 'no-such.tfrc') },
    });
    await expect(record).rejects.toBeInstanceOf(AwsStateRecordError);
    await expect(record).rejects.toMatchObject({ failure: 'iac-tier-missing' });
    await expect(record).rejects.toThrow(/hashicorp\/aws provider/);
  });
});
