import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomically } from './atomic-file.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomically', () => {
  it('creates missing folders, replaces the old content and leaves no temp file', async () => {
    const file = join(dir, 'a', 'b', 'report.json');
    await writeFileAtomically(file, 'first');
    await writeFileAtomically(file, 'second');
    expect(await readFile(file, 'utf8')).toBe('second');
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['report.json']);
  });

  it('a write that fails leaves the old file whole (negative twin: a plain write would truncate it)', async () => {
    const file = join(dir, 'kept.json');
    await writeFile(file, 'old');
    // A directory where the temp file should go makes the write fail before the rename.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(`${file}.${process.pid}.tmp`);
    await expect(writeFileAtomically(file, 'new')).rejects.toThrow();
    expect(await readFile(file, 'utf8')).toBe('old');
  });
});
