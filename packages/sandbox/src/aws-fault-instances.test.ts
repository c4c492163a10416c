import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { pollUntil } from '@stackproof/core';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsFaultClients, awsClientsFor } from './aws-clients.ts';
import { AwsFaultTargetError } from './aws-errors.ts';
import { planInstanceStop, stopInstances } from './aws-fault-instances.ts';
import { createFixtureVpc, type FixtureVpc } from './aws-fixture-vpc.test-helpers.ts';

let dir: string;
let emulator: MotoServer;
let clients: AwsFaultClients & Disposable;
let fixture: FixtureVpc;
let imageId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-aws-instances-'));
  emulator = await startMotoServer({ logFile: join(dir, 'moto.log') });
  clients = awsClientsFor(emulator);
  fixture = await createFixtureVpc(clients.ec2, 40);
  const images = await clients.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  imageId = images.Images?.[0]?.ImageId ?? '';
});
afterAll(async () => {
  clients?.[Symbol.dispose]();
  await emulator?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Nodes in the zone's private subnet, optionally tagged as chaos targets. */
async function runNodes(zone: string, count: number, tagged = false): Promise<string[]> {
  const subnet = fixture.subnets.find((s) => s.zone === zone && s.tier === 'private');
  const out = await clients.ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 'm6i.large',
      MinCount: count,
      MaxCount: count,
      SubnetId: subnet?.subnetId,
      ...(tagged
        ? {
            TagSpecifications: [
              {
                ResourceType: 'instance',
                Tags: [{ Key: 'stackproof.io/chaos-target', Value: 'true' }],
              },
            ],
          }
        : {}),
    }),
  );
  const ids = (out.Instances ?? []).map((i) => i.InstanceId ?? '');
  // Launched instances are `pending` first (moto moves them on at the next describe), and the
  // hook only stops running ones, as EC2 can only stop those.
  await pollUntil(
    async () => ((await states(ids)).every((s) => s === 'running') ? true : undefined),
    { what: `${ids.join(', ')} to run`, timeoutMs: 30_000 },
  );
  return ids;
}

async function states(ids: readonly string[]): Promise<string[]> {
  const out = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [...ids] }));
  const byId = new Map(
    (out.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .map((i) => [i.InstanceId ?? '', i.State?.Name ?? '']),
  );
  return ids.map((id) => byId.get(id) ?? 'missing');
}

describe('stopInstances', () => {
  it('stops the running instances of one zone and starts exactly those again', async () => {
    const zoneA = await runNodes('me-central-1a', 2);
    const alreadyStopped = await runNodes('me-central-1a', 1);
    await clients.ec2.send(new StopInstancesCommand({ InstanceIds: alreadyStopped }));
    const zoneB = await runNodes('me-central-1b', 1);

    const handle = await stopInstances(clients.ec2, {
      availabilityZone: 'me-central-1a',
      vpcId: fixture.vpcId,
    });
    expect(handle.record.instanceIds).toEqual([...zoneA].sort());
    expect(await states(zoneA)).toEqual(['stopped', 'stopped']);
    expect(await states(zoneB)).toEqual(['running']);

    await handle.rollback();
    expect(await states(zoneA)).toEqual(['running', 'running']);
    // What was stopped before the fault is still stopped: the rollback restores, it does not tidy.
    expect(await states(alreadyStopped)).toEqual(['stopped']);
    expect(await states(zoneB)).toEqual(['running']);
    await handle.rollback();
    expect(await states(zoneA)).toEqual(['running', 'running']);
  });

  it('stops only the instances carrying the given tags, or the given ids', async () => {
    const tagged = await runNodes('me-central-1c', 1, true);
    const untagged = await runNodes('me-central-1c', 1);
    const byTag = await stopInstances(clients.ec2, {
      availabilityZone: 'me-central-1c',
      tags: { 'stackproof.io/chaos-target': 'true' },
    });
    expect(byTag.record.instanceIds).toEqual(tagged);
    expect(await states([...tagged, ...untagged])).toEqual(['stopped', 'running']);
    await byTag.rollback();

    const byId = await stopInstances(clients.ec2, { instanceIds: untagged });
    expect(await states([...tagged, ...untagged])).toEqual(['running', 'stopped']);
    await byId.rollback();
    expect(await states([...tagged, ...untagged])).toEqual(['running', 'running']);
  });

  it('refuses a zone with no running instances instead of doing nothing', async () => {
    const stop = planInstanceStop(clients.ec2, {
      availabilityZone: 'me-central-1b',
      vpcId: fixture.vpcId,
      tags: { 'stackproof.io/chaos-target': 'true' },
    });
    await expect(stop).rejects.toBeInstanceOf(AwsFaultTargetError);
    await expect(stop).rejects.toThrow(/no running instances in me-central-1b of VPC vpc-/);
  });

  it('refuses a target that names neither a zone nor instances', async () => {
    await expect(stopInstances(clients.ec2, { vpcId: fixture.vpcId })).rejects.toThrow(
      /name an availability zone or instance ids/,
    );
  });
});
