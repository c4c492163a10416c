import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChaosGuardError,
  ChaosPendingRollbackError,
  checkAllowList,
  checkBlastRadius,
  checkJournalClear,
} from './guards.ts';
import { appendJournal } from './journal.ts';

const allow = { accounts: ['123456789012'], contexts: ['sandbox'] };

describe('the allow-list', () => {
  it('admits the listed account and context', () => {
    expect(() =>
      checkAllowList(allow, { account: '123456789012', context: 'sandbox' }),
    ).not.toThrow();
  });

  it('refuses everything while it is empty', () => {
    const refuse = () =>
      checkAllowList(
        { accounts: [], contexts: [] },
        { account: '123456789012', context: 'sandbox' },
      );
    expect(refuse).toThrow(ChaosGuardError);
    expect(refuse).toThrow(
      /refused \(allow-list\): no AWS account is allowed .*; no kube context is allowed .*; nothing was injected/,
    );
  });

  it('refuses another account and another context, naming both', () => {
    expect(() => checkAllowList(allow, { account: '210987654321', context: 'prod' })).toThrow(
      'the credentials are for account 210987654321, not one of 123456789012; the kube context is prod, not one of sandbox',
    );
  });
});

describe('the blast radius', () => {
  it('is the one zone every fault names', () => {
    expect(
      checkBlastRadius([
        { kind: 'sandbox.zone-power-loss', record: { zone: 'me-central-1a', nodes: [] } },
        { kind: 'aws.az-nacl-blackhole', record: { availabilityZone: 'me-central-1a' } },
        {
          kind: 'sandbox.database-failover',
          record: {
            primaryBefore: { name: 'p', zone: 'me-central-1a' },
            standbyBefore: { name: 's', zone: 'me-central-1b' },
          },
        },
      ]),
    ).toEqual(['me-central-1a']);
  });

  it('refuses faults in two zones', () => {
    expect(() =>
      checkBlastRadius([
        { kind: 'sandbox.zone-power-loss', record: { zone: 'me-central-1a', nodes: [] } },
        {
          kind: 'aws.instances-stopped',
          record: { availabilityZone: 'me-central-1b', instanceIds: [] },
        },
      ]),
    ).toThrow(
      /touch 2 zones \(me-central-1a, me-central-1b\); the blast radius is at most one zone/,
    );
  });
});

describe('the journal guard', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stackproof-guards-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lets a run start on a missing journal or one whose injections were all rolled back', async () => {
    const journal = join(dir, 'journal.jsonl');
    await expect(checkJournalClear(journal)).resolves.toBeUndefined();
    await appendJournal(journal, {
      kind: 'inject',
      id: 'a',
      experiment: 'az-outage',
      fault: 'sandbox.zone-power-loss',
      target: 'sandbox zone me-central-1a',
      record: { zone: 'me-central-1a', nodes: [] },
      at: new Date().toISOString(),
    });
    await appendJournal(journal, {
      kind: 'rollback',
      id: 'a',
      ok: true,
      at: new Date().toISOString(),
    });
    await expect(checkJournalClear(journal)).resolves.toBeUndefined();
  });

  it('refuses a run while an injection is pending, and says to recover', async () => {
    const journal = join(dir, 'journal.jsonl');
    await appendJournal(journal, {
      kind: 'inject',
      id: 'b',
      experiment: 'az-outage',
      fault: 'aws.az-nacl-blackhole',
      target: 'VPC vpc-1 in me-central-1a',
      record: { vpcId: 'vpc-1' },
      where: { kind: 'sandbox', dir: '/tmp/sb' },
      at: new Date().toISOString(),
    });
    const refused = checkJournalClear(journal);
    await expect(refused).rejects.toBeInstanceOf(ChaosPendingRollbackError);
    await expect(refused).rejects.toThrow(
      /1 injection\(s\) never rolled back \(aws.az-nacl-blackhole on VPC vpc-1 in me-central-1a\); run 'stackproof chaos recover' first/,
    );
  });
});
