import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateLoadRun, k6Percentile, NoRunnerOutputsError, readRunPlan } from './index.ts';

// A real single-process k6 run, recorded by scripts/record-aggregation-fixture.ts: 20 s of steady
// load at 20 req/s against a loopback server whose latency grows over the run.
const FIXTURE = fileURLToPath(new URL('../test-fixtures/aggregation/', import.meta.url));

let work: string;
let lines: string[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stackproof-aggregate-'));
  lines = gunzipSync(await readFile(join(FIXTURE, 'raw', 'k6-0.json.gz')))
    .toString('utf8')
    .split('\n')
    .filter(Boolean);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Point {
  metric: string;
  data: { value: number; tags: Record<string, string> };
}

/**
 * Splits the recorded run into `n` runner outputs. `interleaved`: request i goes to runner i % n,
 * as execution segments stripe iterations; `by-time`: runner k gets the k-th third of the run (the
 * split where runners see different latency distributions). Metric declarations go to every file.
 */
async function split(name: string, n: number, how: 'interleaved' | 'by-time'): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await copyFile(join(FIXTURE, 'plan.json'), join(dir, 'plan.json'));
  const outputs: string[][] = Array.from({ length: n }, () => []);
  const totals = new Map<string, number>();
  for (const line of lines) {
    if (!line.includes('"type":"Point"')) continue;
    const metric = (JSON.parse(line) as Point).metric;
    totals.set(metric, (totals.get(metric) ?? 0) + 1);
  }
  const counters = new Map<string, number>();
  for (const line of lines) {
    if (!line.includes('"type":"Point"')) {
      for (const out of outputs) out.push(line);
      continue;
    }
    const metric = (JSON.parse(line) as Point).metric;
    const i = counters.get(metric) ?? 0;
    counters.set(metric, i + 1);
    const total = totals.get(metric) ?? 1;
    const runner = how === 'interleaved' ? i % n : Math.min(n - 1, Math.floor((i * n) / total));
    outputs[runner]?.push(line);
  }
  for (const [k, out] of outputs.entries())
    await writeFile(join(dir, `runner-${k}.json`), `${out.join('\n')}\n`);
  return dir;
}

const p95Of = (summary: Awaited<ReturnType<typeof aggregateLoadRun>>): number =>
  summary.thresholds.find((t) => t.metric === 'http_req_duration{phase:steady}')?.value ??
  Number.NaN;

describe('stackproof load aggregate on a recorded sample set', () => {
  it('2 and 3 runners: the same request count and the same p95 as the single process (true percentiles)', async () => {
    const singleDir = join(work, 'single');
    await mkdir(join(singleDir, 'raw'), { recursive: true });
    await copyFile(join(FIXTURE, 'plan.json'), join(singleDir, 'plan.json'));
    await copyFile(join(FIXTURE, 'raw', 'k6-0.json.gz'), join(singleDir, 'raw', 'k6-0.json.gz'));
    const single = await aggregateLoadRun(singleDir);
    expect(single.requests.total).toBeGreaterThan(300);
    for (const n of [2, 3]) {
      const merged = await aggregateLoadRun(await split(`interleaved-${n}`, n, 'interleaved'));
      expect(merged.instances).toBe(n);
      expect(merged.requests.total).toBe(single.requests.total);
      expect(merged.requests.perInstance).toHaveLength(n);
      expect(Math.abs(p95Of(merged) - p95Of(single)) / p95Of(single)).toBeLessThan(0.01);
      expect(merged.thresholds.map((t) => t.passed)).toEqual(
        single.thresholds.map((t) => t.passed),
      );
    }
    // the report set is written beside the outputs
    const written = JSON.parse(await readFile(join(work, 'interleaved-3', 'summary.json'), 'utf8'));
    expect(written.instances).toBe(3);
  });

  it('negative twin: averaging per-runner p95s (what people do without the raw samples) misses by more than 1%', async () => {
    const dir = await split('by-time-3', 3, 'by-time');
    const merged = await aggregateLoadRun(dir);
    const single = p95Of(merged);
    const perRunner: number[] = [];
    for (let k = 0; k < 3; k++) {
      const durations = (await readFile(join(dir, `runner-${k}.json`), 'utf8'))
        .split('\n')
        .filter((l) => l.includes('"metric":"http_req_duration"'))
        .map((l) => (JSON.parse(l) as Point).data.value)
        .sort((a, b) => a - b);
      perRunner.push(k6Percentile(durations, 0.95));
    }
    const averaged = perRunner.reduce((a, b) => a + b, 0) / perRunner.length;
    expect(Math.abs(averaged - single) / single).toBeGreaterThan(0.01);
    // while the merged evaluation of the same split is still exact
    expect(merged.requests.total).toBe(
      lines.filter(
        (l) => l.includes('"metric":"http_reqs","type":"Point"') && !l.includes('"phase":"setup"'),
      ).length,
    );
  });

  it('refuses a directory without runner outputs, and one without a plan', async () => {
    const empty = join(work, 'empty');
    await mkdir(empty, { recursive: true });
    await copyFile(join(FIXTURE, 'plan.json'), join(empty, 'plan.json'));
    await expect(aggregateLoadRun(empty)).rejects.toBeInstanceOf(NoRunnerOutputsError);
    await expect(readRunPlan(join(work, 'nowhere', 'plan.json'))).rejects.toThrow(/no such file/);
  });
});
