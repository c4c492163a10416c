import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

// `stackproof gameday` where no sandbox runs: its usage, and the refusals that come before any
// target is contacted (exit 2, one line, nothing written). The game days themselves run against a
// sandbox in packages/gameday (gameday.sandbox.test.ts).

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stackproof-gameday-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('stackproof gameday (no sandbox)', () => {
  it('prints its usage with the flags the nightly uses, exit 0', async () => {
    const run = await runCli(['gameday', '--help']);
    expect(run.exitCode).toBe(0);
    for (const flag of [
      '--plan FILE',
      '--outputs DIR',
      '--expectations FILE',
      '--zone Z',
      '--out DIR',
      '--target URL',
      '--steady-url URL',
      '--allow-account',
      '--skip STAGE',
    ]) {
      expect(run.stdout).toContain(flag);
    }
    expect((await runCli(['--help'])).stdout).toContain('gameday');
  });

  it('refuses bad input before contacting anything: exit 2, one line naming what to fix', async () => {
    const out = join(work, 'never');
    for (const [args, message] of [
      [['--stages', 'outage'], /Unknown option '--stages'/],
      [['--skip', 'outage'], /--skip takes scale-out or live-after, got 'outage'/],
      [['--zone', 'a'], /--zone must be an availability zone such as me-central-1a, got 'a'/],
      [['--outage', 'soon'], /--outage must be a duration such as 45s or 2m, got 'soon'/],
      [['--target', 'http://127.0.0.1:1'], /--target is for a real stack \(with --outputs\)/],
      [['--sandbox-dir', join(work, 'no-sandbox')], /no sandbox|not running|sandbox up/i],
    ] as const) {
      const run = await runCli(['gameday', ...args, '--out', out]);
      expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
