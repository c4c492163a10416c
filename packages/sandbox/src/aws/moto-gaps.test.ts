import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  CreateDBSubnetGroupCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What moto 5.2.1 lacks for the stack, measured (the gaps the chaos faults work around are
// measured beside them, in packages/chaos/src/faults/aws/moto-gaps.test.ts). These tests pass while
// the gaps exist; when one fails after a moto upgrade, the gap is gone: update the "AWS side"
// section of README.md (and drop the workaround the comment names).

let dir: string;
let emulator: MotoServer;
let clients: { readonly ec2: EC2Client; readonly rds: RDSClient };
let vpcId: string;
let subnetIds: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-aws-gaps-'));
  emulator = await startMotoServer({ logFile: join(dir, 'moto.log') });
  // Plain SDK clients on moto's endpoint and test credentials, as the chaos faults get them.
  const config = {
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: emulator.credentials,
  };
  clients = { ec2: new EC2Client(config), rds: new RDSClient(config) };
  vpcId =
    (await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.60.0.0/16' }))).Vpc?.VpcId ?? '';
  subnetIds = [];
  for (const [i, zone] of ['me-central-1a', 'me-central-1b'].entries()) {
    const subnet = await clients.ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.60.${i}.0/24`,
        AvailabilityZone: zone,
      }),
    );
    subnetIds.push(subnet.Subnet?.SubnetId ?? '');
  }
});
afterAll(async () => {
  clients?.ec2.destroy();
  clients?.rds.destroy();
  await emulator?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** An EKS REST call; moto routes by the service in the credential scope, not the signature. */
async function eks(method: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${emulator.endpoint}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      Authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/me-central-1/eks/aws4_request, ' +
        'SignedHeaders=host, Signature=0',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('moto gaps: RDS', () => {
  it('accepts Performance Insights and enhanced monitoring but does not return them', async () => {
    await clients.rds.send(
      new CreateDBSubnetGroupCommand({
        DBSubnetGroupName: 'gaps',
        DBSubnetGroupDescription: 'gaps',
        SubnetIds: subnetIds,
      }),
    );
    await clients.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'gaps',
        Engine: 'postgres',
        EngineVersion: '17.6',
        DBInstanceClass: 'db.m6g.large',
        AllocatedStorage: 50,
        MasterUsername: 'stackproof',
        ManageMasterUserPassword: true,
        MultiAZ: true,
        StorageEncrypted: true,
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true,
        EnablePerformanceInsights: true,
        PerformanceInsightsRetentionPeriod: 7,
        MonitoringInterval: 15,
        MonitoringRoleArn: 'arn:aws:iam::123456789012:role/rds-monitoring',
        EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
        DBSubnetGroupName: 'gaps',
      }),
    );
    const db = (
      await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'gaps' }))
    ).DBInstances?.[0];
    // Round-trips:
    expect(db).toMatchObject({
      MultiAZ: true,
      StorageEncrypted: true,
      IAMDatabaseAuthenticationEnabled: true,
      DeletionProtection: true,
      EnabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
    });
    expect(db?.MasterUserSecret?.SecretArn).toMatch(/^arn:aws:secretsmanager:me-central-1:/);
    // Gaps:
    expect(db?.PerformanceInsightsEnabled).toBeUndefined();
    expect(db?.MonitoringInterval).toBeUndefined();
    expect(db?.SecondaryAvailabilityZone).toBeUndefined();
  });

  it('breaks /moto-api/data.json once a DB instance exists (so restores check statuses instead)', async () => {
    const response = await fetch(`${emulator.endpoint}/moto-api/data.json`);
    await response.body?.cancel();
    expect(response.status).toBe(500);
  });
});

describe('moto gaps: EKS', () => {
  it('has clusters and node groups but no access entries, add-ons or Pod Identity', async () => {
    expect(
      await eks('POST', '/clusters', {
        name: 'prod1',
        version: '1.34',
        roleArn: 'arn:aws:iam::123456789012:role/eks',
        resourcesVpcConfig: { subnetIds },
      }),
    ).toBe(200);
    expect(
      await eks('POST', '/clusters/prod1/access-entries', {
        principalArn: 'arn:aws:iam::123456789012:role/admin',
      }),
    ).toBe(404);
    expect(
      await eks('POST', '/clusters/prod1/addons', { addonName: 'eks-pod-identity-agent' }),
    ).toBe(404);
    expect(
      await eks('POST', '/clusters/prod1/pod-identity-associations', {
        namespace: 'backend',
        serviceAccount: 'backend',
        roleArn: 'arn:aws:iam::123456789012:role/backend',
      }),
    ).toBe(404);
  });
});
