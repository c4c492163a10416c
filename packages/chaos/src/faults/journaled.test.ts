import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingRollbacks, readJournal } from '../journal.ts';
import { type AzBlackholeRecord, azBlackhole } from './aws/az-blackhole.ts';
import { type AwsClients, awsClientsFor } from './aws/clients.ts';
import { createFixtureVpc } from './aws/fixture-vpc.test-helpers.ts';
import { injectJournaled } from './journaled.ts';

let dir: string;
let journal: string;
let moto: MotoServer;
let clients: AwsClients & Disposable;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-journaled-'));
  journal = join(dir, 'journal.jsonl');
  moto = await startMotoServer();
  clients = awsClientsFor(moto);
});
afterAll(async () => {
  clients?.[Symbol.dispose]();
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('injectJournaled', () => {
  it('journals the plan before injecting, so a crashed run is undone from the journal alone', async () => {
    const fixture = await createFixtureVpc(clients.ec2, 70);
    const target = { vpcId: fixture.vpcId, availabilityZone: 'me-central-1a' };
    const injection = await injectJournaled(journal, azBlackhole(clients.ec2, target), {
      id: 'run-1/blackhole',
      experiment: 'az-outage',
    });
    const [entry] = pendingRollbacks(await readJournal(journal));
    expect(entry).toMatchObject({
      id: 'run-1/blackhole',
      fault: 'aws.az-nacl-blackhole',
      target: `VPC ${fixture.vpcId} in me-central-1a`,
      record: injection.record,
    });

    // The process "crashed": a new fault object, the record read back from the journal.
    const recovered = azBlackhole(clients.ec2, target);
    expect((await recovered.residue()).length).toBeGreaterThan(0);
    await recovered.rollback(entry?.record as AzBlackholeRecord);
    expect(await recovered.residue()).toEqual([]);

    // The original handle's rollback finds nothing left, and closes the entry.
    await injection.rollback();
    expect(pendingRollbacks(await readJournal(journal))).toEqual([]);
  });

  it('journals nothing when the plan refuses, and rolls back a failed injection', async () => {
    const before = (await readJournal(journal)).length;
    const bad = azBlackhole(clients.ec2, {
      vpcId: 'vpc-00000000',
      availabilityZone: 'me-central-1a',
    });
    await expect(injectJournaled(journal, bad, { id: 'run-2', experiment: 'x' })).rejects.toThrow(
      /there are no subnets/,
    );
    expect(await readJournal(journal)).toHaveLength(before);
  });
});
