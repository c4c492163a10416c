import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateNetworkAclEntryCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNetworkAclCommand,
  DescribeNetworkAclsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsFaultClients, awsClientsFor } from './aws-clients.ts';
import { AwsFaultConflictError, AwsFaultRollbackError, AwsFaultTargetError } from './aws-errors.ts';
import { blackholeAz } from './aws-fault-nacl-blackhole.ts';
import { isolateAz, planAzIsolation, recoverAzIsolations } from './aws-fault-nacl-isolation.ts';
import { aclBySubnet, createFixtureVpc } from './aws-fixture-vpc.test-helpers.ts';

let dir: string;
let emulator: MotoServer;
let clients: AwsFaultClients & Disposable;
let nextOctet = 30;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-aws-nacl-'));
  emulator = await startMotoServer({ logFile: join(dir, 'moto.log') });
  clients = awsClientsFor(emulator);
});
afterAll(async () => {
  clients?.[Symbol.dispose]();
  await emulator?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function vpcAclIds(vpcId: string): Promise<string[]> {
  const out = await clients.ec2.send(
    new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  return (out.NetworkAcls ?? []).map((a) => a.NetworkAclId ?? '').sort();
}

async function defaultVpcAcls(): Promise<Map<string, string>> {
  const vpcs = await clients.ec2.send(
    new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
  );
  return aclBySubnet(clients.ec2, vpcs.Vpcs?.[0]?.VpcId ?? '');
}

/** A VPC whose subnets (in zones a and b only) all sit on the VPC's default NACL. */
async function bareVpc(): Promise<string> {
  const octet = nextOctet++;
  const vpc = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/16` }));
  const vpcId = vpc.Vpc?.VpcId ?? '';
  for (const [i, zone] of ['me-central-1a', 'me-central-1b'].entries()) {
    await clients.ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.${octet}.${i}.0/24`,
        AvailabilityZone: zone,
      }),
    );
  }
  return vpcId;
}

describe('isolateAz (swap to a deny-all NACL)', () => {
  it('moves exactly the zone’s subnets to a deny-all NACL and rolls back to the originals', async () => {
    const fixture = await createFixtureVpc(clients.ec2, nextOctet++);
    const before = await aclBySubnet(clients.ec2, fixture.vpcId);
    const defaultBefore = await defaultVpcAcls();
    const aclsBefore = await vpcAclIds(fixture.vpcId);

    const handle = await isolateAz(clients.ec2, {
      vpcId: fixture.vpcId,
      availabilityZone: 'me-central-1a',
    });
    const inZone = fixture.subnets.filter((s) => s.zone === 'me-central-1a');
    expect(handle.record.subnets.map((s) => s.subnetId).sort()).toEqual(
      inZone.map((s) => s.subnetId).sort(),
    );
    expect(handle.record.subnets.map((s) => s.tier).sort()).toEqual([
      'database',
      'private',
      'public',
    ]);
    const during = await aclBySubnet(clients.ec2, fixture.vpcId);
    for (const s of fixture.subnets) {
      expect(during.get(s.subnetId)).toBe(
        s.zone === 'me-central-1a' ? handle.record.denyNetworkAclId : before.get(s.subnetId),
      );
    }
    // The NACL denies everything: it has no allow entry at all.
    const deny = await clients.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [{ Name: 'tag:stackproof.io/fault', Values: ['aws.az-nacl-isolation'] }],
      }),
    );
    const denyAcl = deny.NetworkAcls?.find(
      (a) => a.NetworkAclId === handle.record.denyNetworkAclId,
    );
    expect(denyAcl?.Entries?.filter((e) => e.RuleAction === 'allow')).toEqual([]);
    // Another VPC's subnets in the same zone (moto's default VPC) are left alone.
    expect(await defaultVpcAcls()).toEqual(defaultBefore);

    await handle.rollback();
    expect(await aclBySubnet(clients.ec2, fixture.vpcId)).toEqual(before);
    expect(await vpcAclIds(fixture.vpcId)).toEqual(aclsBefore);
    // Twice is harmless and changes nothing.
    await handle.rollback();
    expect(await aclBySubnet(clients.ec2, fixture.vpcId)).toEqual(before);
  });

  it('narrows to the given tiers', async () => {
    const fixture = await createFixtureVpc(clients.ec2, nextOctet++);
    const handle = await isolateAz(clients.ec2, {
      vpcId: fixture.vpcId,
      availabilityZone: 'me-central-1b',
      tiers: ['private'],
    });
    expect(handle.record.subnets).toHaveLength(1);
    expect(handle.record.subnets[0]?.subnetId).toBe(
      fixture.subnets.find((s) => s.zone === 'me-central-1b' && s.tier === 'private')?.subnetId,
    );
    await handle.rollback();
  });

  it('refuses a zone with no subnets instead of doing nothing, and creates nothing', async () => {
    const vpcId = await bareVpc();
    const aclsBefore = await vpcAclIds(vpcId);
    const isolate = isolateAz(clients.ec2, { vpcId, availabilityZone: 'me-central-1c' });
    await expect(isolate).rejects.toBeInstanceOf(AwsFaultTargetError);
    await expect(isolate).rejects.toThrow(`there are no subnets of VPC ${vpcId} in me-central-1c`);
    expect(await vpcAclIds(vpcId)).toEqual(aclsBefore);
  });

  it('refuses to isolate a zone twice; the first isolation still rolls back', async () => {
    const fixture = await createFixtureVpc(clients.ec2, nextOctet++);
    const before = await aclBySubnet(clients.ec2, fixture.vpcId);
    const target = { vpcId: fixture.vpcId, availabilityZone: 'me-central-1c' };
    const first = await isolateAz(clients.ec2, target);
    await expect(planAzIsolation(clients.ec2, target)).rejects.toBeInstanceOf(
      AwsFaultConflictError,
    );
    await expect(isolateAz(clients.ec2, target)).rejects.toThrow(/already on isolation NACL/);
    await first.rollback();
    expect(await aclBySubnet(clients.ec2, fixture.vpcId)).toEqual(before);
  });

  it('recovers a crashed run’s isolation from the account alone (no handle)', async () => {
    const fixture = await createFixtureVpc(clients.ec2, nextOctet++);
    const before = await aclBySubnet(clients.ec2, fixture.vpcId);
    const handle = await isolateAz(clients.ec2, {
      vpcId: fixture.vpcId,
      availabilityZone: 'me-central-1a',
    });
    expect(await recoverAzIsolations(clients.ec2, { vpcId: fixture.vpcId })).toEqual([
      handle.record.denyNetworkAclId,
    ]);
    expect(await aclBySubnet(clients.ec2, fixture.vpcId)).toEqual(before);
    expect(await recoverAzIsolations(clients.ec2, { vpcId: fixture.vpcId })).toEqual([]);
    // The handle's own rollback afterwards finds nothing left to do.
    await handle.rollback();
  });

  it('reports an original NACL that vanished, and still leaves no subnet cut off', async () => {
    const fixture = await createFixtureVpc(clients.ec2, nextOctet++);
    const handle = await isolateAz(clients.ec2, {
      vpcId: fixture.vpcId,
      availabilityZone: 'me-central-1a',
    });
    const victim = handle.record.subnets[0];
    if (victim === undefined) throw new Error('fixture has no subnet in me-central-1a');
    await clients.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: victim.networkAclId }));
    const rollback = handle.rollback();
    await expect(rollback).rejects.toBeInstanceOf(AwsFaultRollbackError);
    await expect(rollback).rejects.toThrow(
      `subnet ${victim.subnetId}'s original NACL ${victim.networkAclId} no longer exists`,
    );
    const after = await aclBySubnet(clients.ec2, fixture.vpcId);
    expect(after.get(victim.subnetId)).not.toBe(handle.record.denyNetworkAclId);
    expect(await vpcAclIds(fixture.vpcId)).not.toContain(handle.record.denyNetworkAclId);
    await handle.rollback();
  });
});

describe('blackholeAz (deny entries, what the stack’s chaos role may do)', () => {
  it('adds a deny-all rule 1 both ways to the zone’s NACLs only, and removes exactly that', async () => {
    const fixture = await createFixtureVpc(clients.ec2, nextOctet++);
    const entries = async () => {
      const out = await clients.ec2.send(
        new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [fixture.vpcId] }] }),
      );
      return new Map(
        (out.NetworkAcls ?? []).map((a) => [
          a.NetworkAclId ?? '',
          (a.Entries ?? [])
            .map((e) => `${e.RuleNumber}/${e.Egress ? 'out' : 'in'}/${e.RuleAction}`)
            .sort(),
        ]),
      );
    };
    const before = await entries();
    const handle = await blackholeAz(clients.ec2, {
      vpcId: fixture.vpcId,
      availabilityZone: 'me-central-1b',
    });
    const zoneAcls = fixture.subnets
      .filter((s) => s.zone === 'me-central-1b')
      .map((s) => s.networkAclId)
      .sort();
    expect(handle.record.networkAclIds).toEqual(zoneAcls);
    const during = await entries();
    for (const [aclId, list] of before) {
      expect(during.get(aclId)).toEqual(
        zoneAcls.includes(aclId) ? [...list, '1/in/deny', '1/out/deny'].sort() : list,
      );
    }
    await handle.rollback();
    expect(await entries()).toEqual(before);
    await handle.rollback();
    expect(await entries()).toEqual(before);
  });

  it('refuses a NACL that also serves subnets of other zones (the default NACL)', async () => {
    const vpcId = await bareVpc();
    const blackhole = blackholeAz(clients.ec2, { vpcId, availabilityZone: 'me-central-1a' });
    await expect(blackhole).rejects.toBeInstanceOf(AwsFaultConflictError);
    await expect(blackhole).rejects.toThrow(/also serves subnet-\w+ outside the selection/);
  });

  it('refuses a rule number that is already taken', async () => {
    const fixture = await createFixtureVpc(clients.ec2, nextOctet++);
    const acl = fixture.subnets.find((s) => s.zone === 'me-central-1c')?.networkAclId;
    await clients.ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: acl,
        RuleNumber: 5,
        Egress: false,
        Protocol: '6',
        RuleAction: 'allow',
        CidrBlock: '10.0.0.0/8',
        PortRange: { From: 443, To: 443 },
      }),
    );
    const blackhole = blackholeAz(clients.ec2, {
      vpcId: fixture.vpcId,
      availabilityZone: 'me-central-1c',
      ruleNumber: 5,
    });
    await expect(blackhole).rejects.toThrow(`NACL ${acl} already has rule 5`);
  });
});
