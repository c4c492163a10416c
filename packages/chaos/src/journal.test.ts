import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonLinesCorruptError } from '@stackproof/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendJournal, pendingRollbacks, readJournal } from './index.ts';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-journal-'));
  path = join(dir, 'journal.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const inject = (id: string) =>
  ({
    kind: 'inject',
    id,
    experiment: 'az-outage',
    fault: 'aws.az-nacl-blackhole',
    target: 'VPC vpc-1 in me-central-1a',
    record: { networkAclIds: ['acl-1'], ruleNumber: 1 },
    at: new Date(0).toISOString(),
  }) as const;

describe('chaos journal', () => {
  it('reports an injection whose rollback never ran (a crash) as pending, with its record', async () => {
    await appendJournal(path, inject('a'));
    const pending = pendingRollbacks(await readJournal(path));
    expect(pending.map((e) => e.id)).toEqual(['a']);
    expect(pending[0]?.record).toEqual({ networkAclIds: ['acl-1'], ruleNumber: 1 });
  });

  it('reports nothing pending once the rollback succeeded', async () => {
    await appendJournal(path, inject('a'));
    await appendJournal(path, {
      kind: 'rollback',
      id: 'a',
      ok: true,
      at: new Date(1).toISOString(),
    });
    expect(pendingRollbacks(await readJournal(path))).toEqual([]);
  });

  it('keeps an injection pending when its rollback failed', async () => {
    await appendJournal(path, inject('a'));
    await appendJournal(path, {
      kind: 'rollback',
      id: 'a',
      ok: false,
      error: 'throttled',
      at: new Date(1).toISOString(),
    });
    expect(pendingRollbacks(await readJournal(path))).toHaveLength(1);
  });

  it('keeps the entry appended after a torn line (the crash case the old journal lost)', async () => {
    await appendJournal(path, inject('a'));
    await appendFile(path, '{"kind":"inj');
    expect(pendingRollbacks(await readJournal(path)).map((e) => e.id)).toEqual(['a']);
    await appendJournal(path, inject('b'));
    expect(pendingRollbacks(await readJournal(path)).map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('refuses corruption in the middle (negative twin of the torn line)', async () => {
    await appendJournal(path, inject('a'));
    await appendFile(path, 'not json at all\n');
    await appendJournal(path, inject('b'));
    await expect(readJournal(path)).rejects.toBeInstanceOf(JsonLinesCorruptError);
  });

  it('refuses an entry of an unknown kind, naming the line', async () => {
    await appendJournal(path, inject('a'));
    await appendFile(path, '{"kind":"undo","id":"a","at":"x"}\n');
    await expect(readJournal(path)).rejects.toThrow(/line 2: unknown entry kind "undo"/);
  });

  it('treats a missing journal as empty', async () => {
    expect(await readJournal(join(dir, 'absent.jsonl'))).toEqual([]);
  });
});
