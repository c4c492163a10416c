import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendJsonLine, JsonLinesCorruptError, readJsonLines } from './index.ts';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-jsonl-'));
  file = join(dir, 'journal.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('JSON-lines file', () => {
  it('reads back what was appended, in order', async () => {
    await appendJsonLine(file, { n: 1 });
    await appendJsonLine(file, { n: 2 });
    expect(await readJsonLines(file)).toEqual({ records: [{ n: 1 }, { n: 2 }], tornLines: [] });
  });

  it('treats a missing file as empty', async () => {
    expect(await readJsonLines(join(dir, 'absent.jsonl'))).toEqual({ records: [], tornLines: [] });
  });

  it('tolerates a torn last line and reports it', async () => {
    await appendJsonLine(file, { n: 1 });
    await appendFile(file, '{"kind":"inj');
    expect(await readJsonLines(file)).toEqual({ records: [{ n: 1 }], tornLines: [2] });
  });

  it('starts an append after a torn line on a fresh line, so the new record is not lost', async () => {
    await appendJsonLine(file, { n: 1 });
    await appendFile(file, '{"kind":"inj');
    await appendJsonLine(file, { n: 2 });
    await appendJsonLine(file, { n: 3 });
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).toEqual(['{"n":1}', '{"kind":"inj', '{"n":2}', '{"n":3}', '']);
    expect(await readJsonLines(file)).toEqual({
      records: [{ n: 1 }, { n: 2 }, { n: 3 }],
      tornLines: [2],
    });
  });

  it.each([
    ['garbage', 'not json at all'],
    ['a value with trailing bytes', '{"n":1}x'],
    ['a bare number', '42x'],
  ])(
    'refuses %s in the middle as corruption (negative twin of the torn line)',
    async (_name, line) => {
      await appendJsonLine(file, { n: 1 });
      await appendFile(file, `${line}\n`);
      await appendJsonLine(file, { n: 2 });
      const error = await readJsonLines(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JsonLinesCorruptError);
      expect((error as JsonLinesCorruptError).line).toBe(2);
      expect((error as JsonLinesCorruptError).kind).toBe('bad-input');
    },
  );

  it('refuses a record the validator rejects, naming the line', async () => {
    await writeFile(file, '{"kind":"inject"}\n{"kind":"other"}\n');
    await expect(
      readJsonLines(file, (v) =>
        (v as { kind?: string }).kind === 'inject' ? undefined : 'unknown kind',
      ),
    ).rejects.toThrow(/line 2: unknown kind/);
  });
});
