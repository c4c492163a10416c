import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand } from '@aws-sdk/client-rds';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsFaultClients, awsClientsFor } from './aws-clients.ts';
import { AwsFaultConflictError, AwsFaultTargetError } from './aws-errors.ts';
import { rebootDbWithFailover } from './aws-fault-rds.ts';
import { createFixtureVpc } from './aws-fixture-vpc.test-helpers.ts';

let dir: string;
let emulator: MotoServer;
let clients: AwsFaultClients & Disposable;
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
  dir = await mkdtemp(join(tmpdir(), 'stackproof-aws-rds-'));
  emulator = await startMotoServer({ logFile: join(dir, 'moto.log') });
  clients = awsClientsFor(emulator);
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
  await emulator?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('rebootDbWithFailover', () => {
  it('reboots a Multi-AZ instance with failover and reports what DescribeDBInstances shows', async () => {
    const result = await rebootDbWithFailover(
      clients.rds,
      { dbInstanceIdentifier: 'multi-az' },
      fast,
    );
    expect(result.dbInstanceIdentifier).toBe('multi-az');
    expect(result.availabilityZoneBefore).toMatch(/^me-central-1[abc]$/);
    // Measured on moto 5.2.1: RebootDBInstance ignores ForceFailover — the instance stays in its
    // zone, never leaves `available`, and reports no SecondaryAvailabilityZone. On RDS the same
    // call moves the primary to the standby's zone; the hook reports which happened.
    expect(result).toMatchObject({
      failedOver: false,
      availabilityZoneAfter: result.availabilityZoneBefore,
      secondaryAvailabilityZoneBefore: undefined,
      statusesSeen: ['available'],
    });
  });

  it('refuses a single-AZ instance, which RDS refuses and moto would silently accept', async () => {
    const reboot = rebootDbWithFailover(clients.rds, { dbInstanceIdentifier: 'single-az' }, fast);
    await expect(reboot).rejects.toBeInstanceOf(AwsFaultConflictError);
    await expect(reboot).rejects.toThrow(/single-az is not Multi-AZ/);
  });

  it('names a database that does not exist', async () => {
    const reboot = rebootDbWithFailover(clients.rds, { dbInstanceIdentifier: 'nope' }, fast);
    await expect(reboot).rejects.toBeInstanceOf(AwsFaultTargetError);
    await expect(reboot).rejects.toThrow('there is no DB instance nope');
  });
});
