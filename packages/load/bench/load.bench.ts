// Load figures for docs/benchmarks.md, measured on a fresh sandbox (never asserted in tests):
// - scale-out reaction: time from the ramp reaching the target rate to the first desired-replica
//   change and to the first new pod Ready, over several runs (min / median / max);
// - the cluster sampling resolution the runs achieved;
// - the highest rate one k6 process (and two) sustains against the backend with < 1% errors.
//
//   node packages/load/bench/load.bench.ts [--runs 3] [--write-docs]
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readExpectationsFile, repoPath, updateMarkedSection } from '@stackproof/core';
import { sandboxDown, sandboxUp } from '@stackproof/sandbox';
import { type LoadSummary, parseLoadExpectations, runLoad } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    'write-docs': { type: 'boolean' },
    'max-rate': { type: 'string' },
  },
});
const runs = Number(values.runs ?? 3);
const dir = await mkdtemp(join(tmpdir(), 'stackproof-load-bench-'));
const out = await mkdtemp(join(tmpdir(), 'stackproof-load-bench-out-'));
await chmod(dir, 0o755);
const log = (line: string) => process.stderr.write(`${line}\n`);

const stats = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? 'no data'
    : `${s[0]} / ${s[Math.floor((s.length - 1) / 2)]} / ${s[s.length - 1]} s`;
};

try {
  const { state } = await sandboxUp({ dir });
  const { config } = await readExpectationsFile(repoPath('expectations', 'sandbox.json'));
  const parsed = parseLoadExpectations(config.sections.load, config);
  if (parsed.config === undefined) throw new Error(parsed.errors.join('; '));
  const expectations = parsed.config;
  const target = state.services.backend as string;

  // 1. scale-out reaction, with a short ramp so "reaching the target rate" is a sharp moment
  const scaleOuts: LoadSummary[] = [];
  for (let i = 0; i < runs; i++) {
    const { summary } = await runLoad({
      scenario: 'scale-out',
      target,
      hpa: 'stackproof/stackproof-backend',
      kubeconfig: state.kubeconfig,
      expectations,
      overrides: { rampSeconds: 5, durationSeconds: 60, cooldownSeconds: 100 },
      outDir: join(out, `scale-out-${i}`),
    });
    log(
      `scale-out ${i + 1}/${runs}: ${summary.verdict}, first desired change ${summary.timings?.firstDesiredChangeSeconds} s, first ready ${summary.timings?.firstReadyChangeSeconds} s, peak ${summary.timings?.peakDesired}`,
    );
    for (const failure of summary.failures) log(`  ${failure}`);
    scaleOuts.push(summary);
  }
  const firstDesired = scaleOuts
    .map((s) => s.timings?.firstDesiredChangeSeconds)
    .filter((v): v is number => typeof v === 'number');
  const firstReady = scaleOuts
    .map((s) => s.timings?.firstReadyChangeSeconds)
    .filter((v): v is number => typeof v === 'number');
  const peaks = scaleOuts.map((s) => s.timings?.peakDesired ?? 0);
  const medians = scaleOuts.map((s) => s.sampling.medianIntervalSeconds ?? 0);
  const maxima = scaleOuts.map((s) => s.sampling.maxIntervalSeconds ?? 0);
  const samples = scaleOuts.reduce((n, s) => n + s.sampling.samples, 0);
  const errors = scaleOuts.reduce((n, s) => n + s.sampling.errors, 0);

  // 2. the highest rate with < 1% errors and < 1% of the planned load dropped, 1 and 2 processes
  const rates = (values['max-rate'] ?? '200,400,600,800,1000,1200,1600').split(',').map(Number);
  const capacity: {
    instances: number;
    rate: number;
    achieved: number;
    errors: number;
    dropped: number;
    ok: boolean;
  }[] = [];
  for (const instances of [1, 2]) {
    for (const rate of rates) {
      const { summary } = await runLoad({
        scenario: 'steady',
        target,
        expectations,
        overrides: {
          rate,
          durationSeconds: 15,
          path: '/api/items?limit=1',
          p95Ms: 10_000,
          errorBudget: 0.01,
        },
        instances,
        outDir: join(out, `rate-${instances}-${rate}`),
      });
      const planned = rate * 15;
      const errorRate =
        summary.requests.total === 0 ? 1 : summary.requests.failed / summary.requests.total;
      const droppedShare = summary.requests.dropped / planned;
      const achieved = summary.requests.total / 15;
      // held: < 1% errors, < 1% dropped, and (nearly) all of the planned requests sent in the window
      const ok = errorRate < 0.01 && droppedShare < 0.01 && achieved >= 0.95 * rate;
      capacity.push({
        instances,
        rate,
        achieved: Math.round(summary.requests.total / 15),
        errors: errorRate,
        dropped: droppedShare,
        ok,
      });
      log(
        `${instances} process(es) at ${rate} req/s: achieved ${Math.round(summary.requests.total / 15)}/s, errors ${(100 * errorRate).toFixed(2)}%, dropped ${(100 * droppedShare).toFixed(2)}%`,
      );
      if (!ok) break;
    }
  }
  const best = (n: number) =>
    capacity.filter((c) => c.instances === n && c.ok).reduce((m, c) => Math.max(m, c.achieved), 0);
  const firstFail = (n: number) => capacity.find((c) => c.instances === n && !c.ok);

  const section = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, k6 v2.2.0 with xk6-kubernetes, sandbox defaults (HPA sync 5 s, metrics resolution 10 s, scale-down stabilization 30 s), other engineers' test runs sharing the cores. Reproduce: \`node packages/load/bench/load.bench.ts --runs ${runs} --write-docs\`.

| what | min / median / max (${runs} runs) |
| --- | ---: |
| ramp reaches ${expectations.scaleOut.rate} req/s (5 s ramp) → first desired-replica change | ${stats(firstDesired)} |
| ramp reaches ${expectations.scaleOut.rate} req/s → first new backend pod Ready | ${stats(firstReady)} |
| peak desired replicas | ${Math.min(...peaks)} / ${[...peaks].sort((a, b) => a - b)[Math.floor((peaks.length - 1) / 2)]} / ${Math.max(...peaks)} |
| cluster sampling interval, median per run | ${Math.min(...medians)} / ${[...medians].sort((a, b) => a - b)[Math.floor((medians.length - 1) / 2)]} / ${Math.max(...medians)} s |
| cluster sampling interval, longest gap per run | ${Math.min(...maxima)} / ${[...maxima].sort((a, b) => a - b)[Math.floor((maxima.length - 1) / 2)]} / ${Math.max(...maxima)} s (${samples} samples, ${errors} API errors) |

Highest steady rate against the backend's \`/api/items?limit=1\` (PostgreSQL read, a new connection per request) with < 1% errors, < 1% of the planned requests dropped and >= 95% of them sent, 15 s per step (${rates.join(', ')} req/s):

| k6 processes | highest rate held | first step that failed |
| ---: | ---: | --- |
| 1 | ${best(1)} req/s | ${firstFail(1) ? `${firstFail(1)?.rate} req/s: achieved ${firstFail(1)?.achieved}/s, ${((firstFail(1)?.errors ?? 0) * 100).toFixed(1)}% errors, ${((firstFail(1)?.dropped ?? 0) * 100).toFixed(1)}% dropped` : 'none (raise --max-rate)'} |
| 2 | ${best(2)} req/s | ${firstFail(2) ? `${firstFail(2)?.rate} req/s: achieved ${firstFail(2)?.achieved}/s, ${((firstFail(2)?.errors ?? 0) * 100).toFixed(1)}% errors, ${((firstFail(2)?.dropped ?? 0) * 100).toFixed(1)}% dropped` : 'none (raise --max-rate)'} |
`;
  process.stdout.write(section);
  if (values['write-docs']) {
    const file = repoPath('docs', 'benchmarks.md');
    await updateMarkedSection(file, 'bench:load', section);
    log(`updated ${file}`);
  }
} finally {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
}
