import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand } from '@aws-sdk/client-rds';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultConflictError, FaultTargetError } from '../fault.ts';
import { type AwsClients, awsClientsFor } from './clients.ts';
import { createFixtureVpc } from './fixture-vpc.test-helpers.ts';
import { rdsFailover } from './rds-failover.ts';

let moto: MotoServer;
let clients: AwsClients & Disposable;
// moto never leaves `available`, so the hook's settle period is what it waits for; kept short.
const fast = { settleMs: 300, intervalMs: 100, timeoutMs: 30_000 };

async function createDb(id: string, multiAz: boolean): Promise<void> {
  await clients.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      Engine: 'postgres',
      EngineVersion: '17.6',
      DBInstanceClass: 'db.m6g.large',
      AllocatedStorage: 50,
      MasterUsername: 'stackproof',
      ManageMasterUserPassword: true,
      MultiAZ: multiAz,
      StorageEncrypted: true,
      DBSubnetGroupName: 'database',
      Tags: [{ Key: 'stackproof.io/chaos-target', Value: 'true' }],
    }),
  );
}

beforeAll(async () => {
  moto = await startMotoServer();
  clients = awsClientsFor(moto);
  const fixture = await createFixtureVpc(clients.ec2, 50);
  await clients.rds.send(
    new CreateDBSubnetGroupCommand({
      DBSubnetGroupName: 'database',
      DBSubnetGroupDescription: 'database subnets over three zones',
      SubnetIds: fixture.subnets.filter((s) => s.tier === 'database').map((s) => s.subnetId),
    }),
  );
  await createDb('multi-az', true);
  await createDb('single-az', false);
});
afterAll(async () => {
  clients?.[Symbol.dispose]();
  await moto?.stop();
});

describe('rdsFailover', () => {
  it('reboots a Multi-AZ instance with failover and reports what DescribeDBInstances shows', async () => {
    const fault = rdsFailover(clients.rds, { dbInstanceIdentifier: 'multi-az' }, fast);
    const plan = await fault.plan();
    expect(plan.availabilityZoneBefore).toMatch(/^me-central-1[abc]$/);
    const result = await fault.inject();
    expect(result.dbInstanceIdentifier).toBe('multi-az');
    expect(result.availabilityZoneBefore).toMatch(/^me-central-1[abc]$/);
    // Measured on moto 5.2.1: RebootDBInstance ignores ForceFailover — the instance stays in its
    // zone, never leaves `available`, and reports no SecondaryAvailabilityZone. On RDS the same
    // call moves the primary to the standby's zone; the hook reports which happened.
    expect(result).toMatchObject({
      ...plan,
      failedOver: false,
      availabilityZoneAfter: result.availabilityZoneBefore,
      secondaryAvailabilityZoneBefore: null,
      statusesSeen: ['available'],
    });
    // A failover cannot be undone: rollback does nothing, and an available database is no residue.
    await fault.rollback(result);
    expect(await fault.residue()).toEqual([]);
  });

  it('refuses a single-AZ instance, which RDS refuses and moto would silently accept', async () => {
    const reboot = rdsFailover(clients.rds, { dbInstanceIdentifier: 'single-az' }, fast).inject();
    await expect(reboot).rejects.toBeInstanceOf(FaultConflictError);
    await expect(reboot).rejects.toThrow(/single-az is not Multi-AZ/);
  });

  it('names a database that does not exist', async () => {
    const fault = rdsFailover(clients.rds, { dbInstanceIdentifier: 'nope' }, fast);
    await expect(fault.plan()).rejects.toBeInstanceOf(FaultTargetError);
    await expect(fault.residue()).rejects.toThrow('there is no DB instance nope');
  });
});
