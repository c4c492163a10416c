import {
  CreateNetworkAclEntryCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeNetworkAclsCommand,
} from '@aws-sdk/client-ec2';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultConflictError, FaultTargetError } from '../fault.ts';
import { azBlackhole } from './az-blackhole.ts';
import { type AwsClients, awsClientsFor } from './clients.ts';
import { createFixtureVpc } from './fixture-vpc.test-helpers.ts';

let moto: MotoServer;
let clients: AwsClients & Disposable;
let nextOctet = 30;

beforeAll(async () => {
  moto = await startMotoServer();
  clients = awsClientsFor(moto);
});
afterAll(async () => {
  clients?.[Symbol.dispose]();
  await moto?.stop();
});

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

/** NACL id → its entries as `rule/direction/action`, as the account has them now. */
async function entries(vpcId: string): Promise<Map<string, string[]>> {
  const out = await clients.ec2.send(
    new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  return new Map(
    (out.NetworkAcls ?? []).map((a) => [
      a.NetworkAclId ?? '',
      (a.Entries ?? [])
        .map((e) => `${e.RuleNumber}/${e.Egress ? 'out' : 'in'}/${e.RuleAction}`)
        .sort(),
    ]),
  );
}

describe('azBlackhole (deny entries: what the stack’s chaos role may do)', () => {
  it('plans without changing anything, adds a deny-all rule 1 both ways to the zone’s NACLs only, and rolls back exactly that', async () => {
    const fixture = await createFixtureVpc(clients.ec2, nextOctet++);
    const fault = azBlackhole(clients.ec2, {
      vpcId: fixture.vpcId,
      availabilityZone: 'me-central-1b',
    });
    expect(fault.kind).toBe('aws.az-nacl-blackhole');
    expect(fault.target).toBe(`VPC ${fixture.vpcId} in me-central-1b`);
    const before = await entries(fixture.vpcId);
    const zoneAcls = fixture.subnets
      .filter((s) => s.zone === 'me-central-1b')
      .map((s) => s.networkAclId)
      .sort();

    const plan = await fault.plan();
    expect(plan.networkAclIds).toEqual(zoneAcls);
    expect(await entries(fixture.vpcId)).toEqual(before);
    expect(await fault.residue()).toEqual([]);

    const record = await fault.inject();
    // The record is what the journal stores: plain JSON, and what the plan said.
    expect(JSON.parse(JSON.stringify(record))).toEqual(plan);
    const during = await entries(fixture.vpcId);
    for (const [aclId, list] of before) {
      expect(during.get(aclId)).toEqual(
        zoneAcls.includes(aclId) ? [...list, '1/in/deny', '1/out/deny'].sort() : list,
      );
    }
    // The target reports what is left: two entries on each of the zone's three NACLs.
    expect(await fault.residue()).toHaveLength(6);

    await fault.rollback(record);
    expect(await entries(fixture.vpcId)).toEqual(before);
    expect(await fault.residue()).toEqual([]);
    // A second rollback finds nothing to undo and changes nothing.
    await fault.rollback(record);
    expect(await entries(fixture.vpcId)).toEqual(before);
  });

  it('leaves an entry it did not add in place on rollback', async () => {
    const fixture = await createFixtureVpc(clients.ec2, nextOctet++);
    const fault = azBlackhole(clients.ec2, {
      vpcId: fixture.vpcId,
      availabilityZone: 'me-central-1a',
    });
    const record = await fault.plan();
    const acl = record.networkAclIds[0];
    // Someone else's rule 1 (an allow, not our deny-all) where the blackhole would go.
    await clients.ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: acl,
        RuleNumber: 1,
        Egress: false,
        Protocol: '-1',
        RuleAction: 'allow',
        CidrBlock: '10.0.0.0/8',
      }),
    );
    await fault.rollback(record);
    expect((await entries(fixture.vpcId)).get(acl ?? '')).toContain('1/in/allow');
    expect(await fault.residue()).toEqual([]);
  });

  it('refuses a NACL that also serves subnets of other zones (the default NACL)', async () => {
    const vpcId = await bareVpc();
    const fault = azBlackhole(clients.ec2, { vpcId, availabilityZone: 'me-central-1a' });
    await expect(fault.plan()).rejects.toBeInstanceOf(FaultConflictError);
    await expect(fault.inject()).rejects.toThrow(/also serves subnet-\w+ outside the selection/);
  });

  it('refuses a zone with no subnets instead of doing nothing', async () => {
    const vpcId = await bareVpc();
    const fault = azBlackhole(clients.ec2, { vpcId, availabilityZone: 'me-central-1c' });
    await expect(fault.inject()).rejects.toBeInstanceOf(FaultTargetError);
    await expect(fault.plan()).rejects.toThrow(
      `there are no subnets of VPC ${vpcId} in me-central-1c`,
    );
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
    const fault = azBlackhole(clients.ec2, {
      vpcId: fixture.vpcId,
      availabilityZone: 'me-central-1c',
      ruleNumber: 5,
    });
    await expect(fault.inject()).rejects.toThrow(`NACL ${acl} already has rule 5`);
  });
});
