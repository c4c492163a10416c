import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendJournal, JournalCorruptError, pendingRollbacks, readJournal } from './index.ts';

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
    target: 'me-central-1a',
    undo: { naclAssociation: 'aclassoc-1' },
    at: new Date(0).toISOString(),
  }) as const;

describe('chaos journal', () => {
  it('reports an injection whose rollback never ran (a crash) as pending', async () => {
    await appendJournal(path, inject('a'));
    const pending = pendingRollbacks(await readJournal(path));
    expect(pending.map((e) => e.id)).toEqual(['a']);
    expect(pending[0]?.undo).toEqual({ naclAssociation: 'aclassoc-1' });
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
      at: new Date(1).toISOString(),
    });
    expect(pendingRollbacks(await readJournal(path))).toHaveLength(1);
  });

  it('tolerates a torn last line but refuses corruption in the middle', async () => {
    await appendJournal(path, inject('a'));
    await appendFile(path, '{"kind":"inj');
    expect(pendingRollbacks(await readJournal(path))).toHaveLength(1);
    await appendFile(path, '\n');
    await appendJournal(path, inject('b'));
    await expect(readJournal(path)).rejects.toBeInstanceOf(JournalCorruptError);
  });

  it('treats a missing journal as empty', async () => {
    expect(await readJournal(join(dir, 'absent.jsonl'))).toEqual([]);
  });
});
