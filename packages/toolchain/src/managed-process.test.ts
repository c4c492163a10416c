import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComponentStartError, isPidAlive, startManagedProcess, waitReady } from './index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-managed-process-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A long-running child with no grandchildren: Node itself, idling on a timer.
const idle = (onTerm: string) =>
  `process.on('SIGTERM', () => { ${onTerm} }); console.log('up'); setInterval(() => {}, 1000);`;

describe('startManagedProcess', () => {
  it('logs to its file and stops on SIGTERM, leaving no /proc entry', async () => {
    const proc = await startManagedProcess({
      name: 'polite',
      command: process.execPath,
      args: ['-e', idle('process.exit(0)')],
      logFile: join(dir, 'polite.log'),
    });
    await pollUntil(
      async () => ((await readFile(proc.logFile, 'utf8')).includes('up') ? true : undefined),
      { what: 'the child to log', timeoutMs: 10_000 },
    );
    expect(isPidAlive(proc.pid)).toBe(true);
    const exit = await proc.stop({ graceMs: 5_000 });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(isPidAlive(proc.pid)).toBe(false);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const proc = await startManagedProcess({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', idle('/* ignored */')],
      logFile: join(dir, 'stubborn.log'),
    });
    await pollUntil(
      async () => ((await readFile(proc.logFile, 'utf8')).includes('up') ? true : undefined),
      { what: 'the child to install its SIGTERM handler', timeoutMs: 10_000 },
    );
    const exit = await proc.stop({ graceMs: 300 });
    expect(exit.signal).toBe('SIGKILL');
    expect(isPidAlive(proc.pid)).toBe(false);
  });

  it('names the component when its binary cannot be executed', async () => {
    const start = startManagedProcess({
      name: 'ghost',
      command: join(dir, 'no-such-binary'),
      args: [],
      logFile: join(dir, 'ghost.log'),
    });
    await expect(start).rejects.toBeInstanceOf(ComponentStartError);
    await expect(start).rejects.toThrow(/ghost failed to start: cannot execute/);
  });

  it('stops waiting at once when the process exits, quoting its log', async () => {
    const proc = await startManagedProcess({
      name: 'crasher',
      command: process.execPath,
      args: ['-e', "console.error('fatal: port already in use'); process.exit(3)"],
      logFile: join(dir, 'crasher.log'),
    });
    const error = await waitReady(proc, async () => false, {
      what: 'crasher to be ready',
      timeoutMs: 60_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentStartError);
    expect(String(error)).toMatch(/exited \(code 3/);
    expect(String(error)).toMatch(/fatal: port already in use/);
  });
});
