import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BinRun, runBin } from './bin.test-helpers.ts';

// `stackproof chaos` as a user runs it, where no sandbox runs: usage, refusals that come before
// any target is contacted, and recover's two ends. The runs against a sandbox are in
// packages/chaos (*.sandbox.test.ts).

/** The real `stackproof` bin, as a user runs it, in this file's work folder; bounded in time. */
function stackproof(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<BinRun> {
  return runBin(args, { cwd: work, env, timeoutMs: 50_000 });
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stackproof-chaos-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const pendingEntry = (dir: string) =>
  `${JSON.stringify({
    kind: 'inject',
    id: 'crashed/1-sandbox.zone-power-loss',
    experiment: 'az-outage',
    fault: 'sandbox.zone-power-loss',
    target: 'sandbox zone me-central-1a',
    record: { zone: 'me-central-1a', nodes: ['general-me-central-1a-0'] },
    where: { kind: 'sandbox', dir },
    at: new Date().toISOString(),
  })}\n`;

describe('stackproof chaos (no sandbox)', () => {
  it('prints its usage with every subcommand and flag the nightly uses, exit 0', async () => {
    const run = await stackproof(['chaos', '--help']);
    expect(run.status).toBe(0);
    for (const text of [
      'chaos run <az-outage | node-loss | pod-kill | rds-failover>',
      'chaos recover',
      'chaos fis-template az-outage',
      '--dry-run',
      '--stack sandbox|aws',
      '--allow-account',
      '--steady-url',
    ]) {
      expect(run.stdout).toContain(text);
    }
    expect((await stackproof(['chaos', 'run', '--help'])).status).toBe(0);
    expect((await stackproof(['--help'])).stdout).toContain('chaos run | recover | fis-template');
  });

  it('refuses a run without an experiment, an unknown one, and bad values: exit 2, one line, no stack', async () => {
    for (const [args, message] of [
      [
        ['chaos', 'run'],
        /chaos run needs an experiment: az-outage, node-loss, pod-kill, rds-failover/,
      ],
      [['chaos', 'run', 'meteor'], /got 'meteor'/],
      [['chaos', 'run', 'az-outage', '--error-budget', '1'], /--error-budget must be a share/],
      [['chaos', 'run', 'pod-kill', '--selector', 'app in (a,b)'], /--selector must be KEY=VALUE/],
      [['chaos', 'run', 'az-outage', '--stack', 'aws'], /--stack aws needs --outputs DIR/],
      [['chaos', 'fis-template', 'az-outage', '--zone', 'me-central-1a'], /needs --role-arn ARN/],
    ] as const) {
      const run = await stackproof(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses two zones before it contacts anything (the blast radius), and nothing is journaled', async () => {
    const out = join(work, 'two-zones');
    const run = await stackproof([
      'chaos',
      'run',
      'az-outage',
      '--zone',
      'me-central-1a',
      '--zone',
      'me-central-1b',
      '--sandbox-dir',
      join(work, 'no-sandbox'),
      '--out',
      out,
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /refused \(blast-radius\): az-outage was asked for 2 zones .*nothing was injected/,
    );
    await expect(readFile(join(out, 'journal.jsonl'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('refuses to start while the journal has a pending injection, saying to recover (exit 2)', async () => {
    const out = join(work, 'pending');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'journal.jsonl'), pendingEntry(join(work, 'gone-sandbox')));
    const run = await stackproof([
      'chaos',
      'run',
      'az-outage',
      '--zone',
      'me-central-1a',
      '--out',
      out,
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /\[CHAOS_PENDING_ROLLBACK\] .*1 injection\(s\) never rolled back .*run 'stackproof chaos recover' first/,
    );
  });

  it('says there is nothing to recover on an empty journal (exit 0), and fails loudly on one it cannot roll back (exit 1)', async () => {
    const empty = await stackproof(['chaos', 'recover', '--out', join(work, 'nothing')]);
    expect(empty.status).toBe(0);
    expect(empty.stdout).toMatch(/nothing to recover/);

    const out = join(work, 'unreachable');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'journal.jsonl'), pendingEntry(join(work, 'gone-sandbox')));
    const run = await stackproof(['chaos', 'recover', '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/NOT RECOVERED: 0 of 1 pending injection/);
    expect(run.stdout).toMatch(
      /FAILED sandbox.zone-power-loss .*no sandbox is running .*\(still pending\)/,
    );
    // The target could not even be reached: nothing is journaled, the entry stays pending.
    const lines = (await readFile(join(out, 'journal.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
  });

  it('refuses a hold point it does not know (the crash tests’ variable)', async () => {
    const run = await stackproof(['chaos', 'run', 'rds-failover', '--out', join(work, 'hold')], {
      ...process.env,
      STACKPROOF_CHAOS_HOLD_AT: 'somewhere',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /STACKPROOF_CHAOS_HOLD_AT must be one of journaled, injected, rolling-back/,
    );
  });
});
