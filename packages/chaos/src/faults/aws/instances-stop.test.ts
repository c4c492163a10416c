import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { pollUntil } from '@stackproof/core';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultTargetError } from '../fault.ts';
import { type AwsClients, awsClientsFor } from './clients.ts';
import { createFixtureVpc, type FixtureVpc } from './fixture-vpc.test-helpers.ts';
import { instancesStop } from './instances-stop.ts';

let moto: MotoServer;
let clients: AwsClients & Disposable;
let fixture: FixtureVpc;
let imageId: string;

beforeAll(async () => {
  moto = await startMotoServer();
  clients = awsClientsFor(moto);
  fixture = await createFixtureVpc(clients.ec2, 40);
  const images = await clients.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  imageId = images.Images?.[0]?.ImageId ?? '';
});
afterAll(async () => {
  clients?.[Symbol.dispose]();
  await moto?.stop();
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

describe('instancesStop', () => {
  it('stops the running instances of one zone and starts exactly those again', async () => {
    const zoneA = await runNodes('me-central-1a', 2, true);
    const zoneB = await runNodes('me-central-1b', 1, true);
    const target = {
      availabilityZone: 'me-central-1a',
      vpcId: fixture.vpcId,
      tags: { 'stackproof.io/chaos-target': 'true' },
    };
    const fault = instancesStop(clients.ec2, target);
    const plan = await fault.plan();
    expect(plan).toEqual({ availabilityZone: 'me-central-1a', instanceIds: [...zoneA].sort() });
    expect(await states(zoneA)).toEqual(['running', 'running']);
    expect(await fault.residue()).toEqual([]);

    const record = await fault.inject();
    expect(record).toEqual(plan);
    expect(await states(zoneA)).toEqual(['stopped', 'stopped']);
    expect(await states(zoneB)).toEqual(['running']);
    expect((await fault.residue()).map((r) => r.resource).sort()).toEqual(
      zoneA.map((id) => `instance ${id}`).sort(),
    );

    await fault.rollback(record);
    expect(await states(zoneA)).toEqual(['running', 'running']);
    expect(await states(zoneB)).toEqual(['running']);
    expect(await fault.residue()).toEqual([]);
    await fault.rollback(record);
    expect(await states(zoneA)).toEqual(['running', 'running']);
  });

  it('leaves an instance stopped before the fault stopped: the rollback restores, it does not tidy', async () => {
    const running = await runNodes('me-central-1a', 1);
    const alreadyStopped = await runNodes('me-central-1a', 1);
    await clients.ec2.send(new StopInstancesCommand({ InstanceIds: alreadyStopped }));
    const fault = instancesStop(clients.ec2, { instanceIds: [...running, ...alreadyStopped] });
    const record = await fault.inject();
    expect(record.instanceIds).toEqual(running);
    await fault.rollback(record);
    expect(await states([...running, ...alreadyStopped])).toEqual(['running', 'stopped']);
    // The target cannot tell who stopped it: the residue names it (a healthy target has none).
    expect((await fault.residue()).map((r) => r.resource)).toEqual(
      alreadyStopped.map((id) => `instance ${id}`),
    );
  });

  it('stops only the instances carrying the given tags, or the given ids', async () => {
    const tagged = await runNodes('me-central-1c', 1, true);
    const untagged = await runNodes('me-central-1c', 1);
    const byTag = instancesStop(clients.ec2, {
      availabilityZone: 'me-central-1c',
      tags: { 'stackproof.io/chaos-target': 'true' },
    });
    const tagRecord = await byTag.inject();
    expect(tagRecord.instanceIds).toEqual(tagged);
    expect(await states([...tagged, ...untagged])).toEqual(['stopped', 'running']);
    await byTag.rollback(tagRecord);

    const byId = instancesStop(clients.ec2, { instanceIds: untagged });
    const idRecord = await byId.inject();
    expect(await states([...tagged, ...untagged])).toEqual(['running', 'stopped']);
    await byId.rollback(idRecord);
    expect(await states([...tagged, ...untagged])).toEqual(['running', 'running']);
  });

  it('refuses a zone with no running instances instead of doing nothing', async () => {
    const stop = instancesStop(clients.ec2, {
      availabilityZone: 'me-central-1b',
      vpcId: fixture.vpcId,
      tags: { 'stackproof.io/never-set': 'true' },
    }).plan();
    await expect(stop).rejects.toBeInstanceOf(FaultTargetError);
    await expect(stop).rejects.toThrow(/no running instances in me-central-1b of VPC vpc-/);
  });

  it('refuses a target that names neither a zone nor instances', async () => {
    await expect(instancesStop(clients.ec2, { vpcId: fixture.vpcId }).inject()).rejects.toThrow(
      /name an availability zone or instance ids/,
    );
  });
});
