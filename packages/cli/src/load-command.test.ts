import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenOnLoopback } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BinRun, runBin } from './bin.test-helpers.ts';

/** The real `stackproof` bin, as a user runs it, in this file's work folder; bounded in time. */
function stackproof(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<BinRun> {
  return runBin(args, { cwd: work, env, timeoutMs: 240_000 });
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stackproof-load-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A loopback server: 200 on /healthz; on any other path 503 once more than `perSecond` arrived this second. */
async function overloadServer(perSecond: number) {
  let second = 0;
  let inSecond = 0;
  let received = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/healthz') {
      received++;
      const now = Math.floor(Date.now() / 1000);
      if (now !== second) {
        second = now;
        inSecond = 0;
      }
      inSecond++;
      res.statusCode = inSecond > perSecond ? 503 : 200;
    }
    res.end('ok\n');
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('stackproof load run (no cluster)', () => {
  it('a target that fails under the spike: that phase’s error-rate threshold fails, the others hold, exit 1', async () => {
    await using server = await overloadServer(25);
    const out = join(work, 'spike');
    const run = await stackproof([
      'load',
      'run',
      '--scenario',
      'spike',
      '--no-cluster',
      '--target',
      server.url,
      '--path',
      '/',
      '--base-rate',
      '5',
      '--rate',
      '60',
      '--baseline',
      '6s',
      '--duration',
      '8s',
      '--cooldown',
      '12s',
      '--p95-ms',
      '5000',
      // The server counts by wall-clock second, not by phase: on a busy machine the spike's last
      // delayed requests share the first recovery seconds with it. 60 recovery requests must see
      // more than 12 failures to fail, while the spike (60/s against 25/s) fails more than half.
      '--error-budget',
      '0.2',
      '--out',
      out,
    ]);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/fail\s+error-rate-spike/);
    expect(run.stdout).toMatch(/pass\s+error-rate-baseline/);
    expect(run.stdout).toMatch(/pass\s+error-rate-recovery/);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    const failed = summary.thresholds
      .filter((t: { passed: boolean }) => !t.passed)
      .map((t: { metric: string }) => t.metric);
    expect(failed).toContain('http_req_failed{phase:spike}');
    expect(failed).not.toContain('http_req_failed{phase:baseline}');
    expect(summary.requests.total).toBe(server.received());
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(
      /<failure message="[^"]*error rate \(spike\) 0\.\d+ ratio \(bound &lt;= 0\.2 ratio\)/,
    );
    // progress was shown while it ran
    expect(run.stderr).toMatch(/\[\s*\d+\/\d+ s\] (baseline|surge|spike|recovery)/);
  }, 240_000);

  it('the same target within its capacity: every threshold holds, exit 0 (positive twin)', async () => {
    await using server = await overloadServer(1000);
    const run = await stackproof([
      'load',
      'run',
      '--scenario',
      'steady',
      '--no-cluster',
      '--target',
      server.url,
      '--path',
      '/',
      '--rate',
      '20',
      '--duration',
      '4s',
      '--p95-ms',
      '5000',
      '--out',
      join(work, 'steady'),
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^PASS load steady/);
  }, 240_000);

  it('a target that is down: setup() refuses before any load, exit 2, no half-written report', async () => {
    const server = createServer();
    const port = await listenOnLoopback(server);
    await new Promise<void>((r) => server.close(() => r()));
    const out = join(work, 'down');
    const run = await stackproof([
      'load',
      'run',
      '--scenario',
      'steady',
      '--no-cluster',
      '--target',
      `http://127.0.0.1:${port}`,
      '--out',
      out,
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/is not healthy/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await readdir(out).catch(() => [])).toEqual([]);
  }, 120_000);

  it('--instances 2 and 3 send the same number of requests as one process (execution segments, to the last tick), judged together', async () => {
    const counts: number[] = [];
    for (const instances of ['1', '2', '3']) {
      await using server = await overloadServer(1000);
      const out = join(work, `instances-${instances}`);
      const run = await stackproof([
        'load',
        'run',
        '--scenario',
        'steady',
        '--no-cluster',
        '--target',
        server.url,
        '--path',
        '/',
        '--rate',
        '30',
        '--duration',
        '5s',
        '--p95-ms',
        '5000',
        '--instances',
        instances,
        '--out',
        out,
      ]);
      expect(run.status, run.stderr).toBe(0);
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
      expect(summary.instances).toBe(Number(instances));
      expect(summary.requests.perInstance).toHaveLength(Number(instances));
      expect(summary.requests.total).toBe(server.received());
      counts.push(summary.requests.total);
      expect((await readdir(join(out, 'raw'))).filter((f) => f.endsWith('.json.gz'))).toHaveLength(
        Number(instances),
      );
    }
    // Execution segments split the same schedule: the counts agree up to the one iteration per
    // process that k6 may or may not start on the last tick of the window (seen live: 150 vs 151).
    expect(Math.abs((counts[1] ?? 0) - (counts[0] ?? 0))).toBeLessThanOrEqual(2);
    expect(Math.abs((counts[2] ?? 0) - (counts[0] ?? 0))).toBeLessThanOrEqual(3);
    // and the merged outputs can be judged again later
    const again = await stackproof([
      'load',
      'aggregate',
      join(work, 'instances-3'),
      '--out',
      join(work, 'reaggregated'),
    ]);
    expect(again.status, again.stderr).toBe(0);
    expect(
      JSON.parse(await readFile(join(work, 'reaggregated', 'summary.json'), 'utf8')).requests.total,
    ).toBe(counts[2]);
  }, 240_000);
});

describe('stackproof load: environment and bad input', () => {
  it('k6 missing: a clear environment error, exit 2', async () => {
    const run = await stackproof(
      ['load', 'run', '--scenario', 'steady', '--target', 'http://127.0.0.1:9'],
      {
        ...process.env,
        K6_BIN: join(work, 'no-such-k6'),
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/k6 not found\b.*make tools/);
  }, 60_000);

  it('a k6 without the xk6-kubernetes extension: a clear environment error, exit 2', async () => {
    // FAKE, named as such: a stand-in for a stock k6 build (building one here takes minutes).
    // It answers `k6 version --json` as a k6 without extensions does.
    const fake = join(work, 'fake-stock-k6');
    await writeFile(
      fake,
      '#!/bin/sh\necho \'{"commit":"fake","go_arch":"amd64","go_os":"linux","go_version":"go1.26","version":"v2.2.0"}\'\n',
    );
    await chmod(fake, 0o755);
    const run = await stackproof(
      ['load', 'run', '--scenario', 'steady', '--target', 'http://127.0.0.1:9'],
      { ...process.env, K6_BIN: fake },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/has no k6\/x\/kubernetes extension.*make tools/);
  }, 60_000);

  it('bad flags and no target: one line naming what to fix, exit 2', async () => {
    const scenario = await stackproof([
      'load',
      'run',
      '--scenario',
      'soak',
      '--target',
      'http://127.0.0.1:9',
    ]);
    expect(scenario.status).toBe(2);
    expect(scenario.stderr).toMatch(
      /--scenario must be one of scale-out, steady, spike; got 'soak'/,
    );
    const rate = await stackproof([
      'load',
      'run',
      '--rate',
      'fast',
      '--target',
      'http://127.0.0.1:9',
    ]);
    expect(rate.status).toBe(2);
    expect(rate.stderr).toMatch(/--rate must be a positive number, got 'fast'/);
    const noTarget = await stackproof(['load', 'run', '--sandbox-dir', join(work, 'no-sandbox')]);
    expect(noTarget.status).toBe(2);
    expect(noTarget.stderr).toMatch(/no --target given and no sandbox running/);
    const help = await stackproof(['load', 'run', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--instances N/);
  }, 60_000);
});
