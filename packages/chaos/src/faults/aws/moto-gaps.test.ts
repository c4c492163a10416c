import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, RebootDBInstanceCommand } from '@aws-sdk/client-rds';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsClients, awsClientsFor } from './clients.ts';

// What moto 5.2.1 lacks that the AWS faults work around, measured. These tests pass while the
// gaps exist; when one fails after a moto upgrade, the gap is gone: drop the workaround the
// comment names (and update the list in packages/sandbox/README.md).

let moto: MotoServer;
let clients: AwsClients & Disposable;
let subnetIds: string[];

beforeAll(async () => {
  moto = await startMotoServer();
  clients = awsClientsFor(moto);
  const vpcId =
    (await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.61.0.0/16' }))).Vpc?.VpcId ?? '';
  const subnet = await clients.ec2.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: '10.61.0.0/24',
      AvailabilityZone: 'me-central-1a',
    }),
  );
  subnetIds = [subnet.Subnet?.SubnetId ?? ''];
});
afterAll(async () => {
  clients?.[Symbol.dispose]();
  await moto?.stop();
});

describe('moto gaps: RDS', () => {
  it('accepts ForceFailover on a single-AZ instance (RDS refuses it; rdsFailover checks itself)', async () => {
    await clients.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'gaps-single',
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.micro',
        AllocatedStorage: 20,
        MasterUsername: 'stackproof',
        MasterUserPassword: 'not-a-secret-1',
        MultiAZ: false,
      }),
    );
    const out = await clients.rds.send(
      new RebootDBInstanceCommand({ DBInstanceIdentifier: 'gaps-single', ForceFailover: true }),
    );
    expect(out.DBInstance?.DBInstanceStatus).toBe('available');
  });
});

describe('moto gaps: EC2 filters the faults work around', () => {
  it('does not implement the network-acl-id filter (500)', async () => {
    await expect(
      clients.ec2.send(
        new DescribeNetworkAclsCommand({
          Filters: [{ Name: 'network-acl-id', Values: ['acl-0123456789abcdef0'] }],
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
  });

  it('answers an unknown NACL id with a route-table error code', async () => {
    await expect(
      clients.ec2.send(
        new DescribeNetworkAclsCommand({ NetworkAclIds: ['acl-0123456789abcdef0'] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidRouteTableID.NotFound' });
  });

  it('never matches the availability-zone filter of DescribeInstances', async () => {
    const image = (await clients.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] })))
      .Images?.[0]?.ImageId;
    const run = await clients.ec2.send(
      new RunInstancesCommand({ ImageId: image, MinCount: 1, MaxCount: 1, SubnetId: subnetIds[0] }),
    );
    const id = run.Instances?.[0]?.InstanceId ?? '';
    const byId = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(byId.Reservations?.[0]?.Instances?.[0]?.Placement?.AvailabilityZone).toBe(
      'me-central-1a',
    );
    const byZone = await clients.ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: 'availability-zone', Values: ['me-central-1a'] }],
      }),
    );
    expect(byZone.Reservations).toEqual([]);
  });
});
