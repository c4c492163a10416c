// Release figures for docs/benchmarks.md and ADR 0005, measured on a fresh sandbox under steady
// k6 load (never asserted in tests):
// - good release: migrations step, helm upgrade --atomic (rollout), the pods' replacement, the
//   requests served while it ran and how many failed;
// - bad release: helm's total (its timeout, then the rollback) and the rollback alone;
// - failed migration: how long the migrations step takes to give up (the Job's retries);
// - the unsafe-strategy control (maxUnavailable 100%): failed requests;
// - the same good release without the chart's preStop sleep (preStopSleepSeconds 0): failed
//   requests, the reason the sleep is there.
//
//   node packages/release/bench/release.bench.ts [--runs 3] [--rate 20] [--write-docs]
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readExpectationsFile, repoPath, updateMarkedSection } from '@stackproof/core';
import { parseLoadExpectations } from '@stackproof/load';
import { sandboxDown, sandboxUp } from '@stackproof/sandbox';
import { proveReleaseLifecycle, type ReleaseProof, type ScenarioRecord } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    rate: { type: 'string' },
    'write-docs': { type: 'boolean' },
  },
});
const runs = Number(values.runs ?? 3);
const rate = Number(values.rate ?? 20);
const dir = await mkdtemp(join(tmpdir(), 'stackproof-release-bench-'));
const out = await mkdtemp(join(tmpdir(), 'stackproof-release-bench-out-'));
await chmod(dir, 0o755);
const log = (line: string) => process.stderr.write(`${line}\n`);

const s1 = (ms: number) => Math.round(ms / 100) / 10;
const stats = (xs: readonly number[], unit = ' s') => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? 'no data'
    : `${s[0]} / ${s[Math.floor((s.length - 1) / 2)]} / ${s[s.length - 1]}${unit}`;
};
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Replaces what lies between two markers of a generated section (the markers stay). */

/** First new pod created → last old pod gone: the pods' replacement, as the watches saw it. */
function replacementSeconds(r: ScenarioRecord): number {
  const created = r.rollout.podsCreated.map((p) => p.atMs);
  const gone = r.rollout.podsDeleted
    .filter((p) => p.hash === r.before.activeHash)
    .map((p) => p.atMs);
  if (created.length === 0 || gone.length === 0) return Number.NaN;
  return s1(Math.max(...gone) - Math.min(...created));
}

try {
  const { state } = await sandboxUp({ dir });
  const { config } = await readExpectationsFile(repoPath('expectations', 'sandbox.json'));
  const expectations = parseLoadExpectations(config.sections.load, config).config;
  if (expectations === undefined) throw new Error('expectations/sandbox.json has no load section');
  const common = {
    kubeconfig: state.kubeconfig,
    namespace: state.namespace,
    release: 'stackproof',
    chart: repoPath('charts', 'stackproof-workloads'),
    target: state.services.backend as string,
    hpa: expectations.hpa,
    expectations,
    rate,
    onProgress: (line: string) => {
      if (!line.includes('req/s')) log(line);
    },
  };
  const proofs: ReleaseProof[] = [];
  const withoutPreStop: ReleaseProof[] = [];
  for (let i = 0; i < runs; i++) {
    proofs.push(await proveReleaseLifecycle({ ...common, outDir: join(out, `proof-${i}`) }));
    log(`run ${i + 1}/${runs}: ${proofs.at(-1)?.verdict}`);
    withoutPreStop.push(
      await proveReleaseLifecycle({
        ...common,
        scenarios: ['good-release'],
        extraValues: { preStopSleepSeconds: 0 },
        outDir: join(out, `no-prestop-${i}`),
      }),
    );
  }
  const records = (name: string) =>
    proofs.flatMap((p) => p.scenarios.filter((s) => s.name === name).map((s) => s.record));
  const good = records('good-release');
  const bad = records('bad-release');
  const migration = records('failed-migration');
  const control = records('unsafe-strategy');
  const noPreStop = withoutPreStop.flatMap((p) => p.scenarios.map((s) => s.record));
  const verdicts = proofs.map((p) => p.verdict).join(', ');
  const badTimeout = bad[0]?.timeoutSeconds ?? 45;

  const section = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, helm v3.22.0, k6 with xk6-kubernetes, ${rate} req/s steady load on \`/api/items\` (a PostgreSQL read, a new connection per request), sandbox defaults (3 backend replicas, HPA min 3, PDB maxUnavailable 1, preStop sleep 5 s), other engineers' runs sharing the cores. Proof verdicts: ${verdicts}. Reproduce: \`node packages/release/bench/release.bench.ts --runs ${runs} --write-docs\`.

| release (${runs} runs each) | min / median / max | requests served while it ran (all runs) | failed requests (all runs) |
| --- | ---: | ---: | ---: |
| good release: migrations step (nothing pending) | ${stats(good.map((r) => (r.outcome.migrations.status === 'skipped' ? 0 : s1(r.outcome.migrations.durationMs))))} | | |
| good release: \`helm upgrade --atomic\` until Ready (rollout) | ${stats(good.map((r) => s1(r.outcome.upgrade?.durationMs ?? 0)))} | ${sum(good.map((r) => r.load.duringRelease.requests))} | ${sum(good.map((r) => r.load.failed))} |
| good release: first new pod → last old pod gone | ${stats(good.map(replacementSeconds))} | | |
| bad release: \`helm upgrade --atomic\` in all (${badTimeout} s timeout, then the rollback) | ${stats(bad.map((r) => s1(r.outcome.upgrade?.durationMs ?? 0)))} | ${sum(bad.map((r) => r.load.duringRelease.requests))} | ${sum(bad.map((r) => r.load.failed))} |
| bad release: the rollback alone (helm's "rolling back" to its exit) | ${stats(bad.map((r) => (r.outcome.upgrade?.rollbackStartedAfterMs === undefined ? Number.NaN : s1(r.outcome.upgrade.durationMs - r.outcome.upgrade.rollbackStartedAfterMs))))} | | |
| failed migration: the migrations step gives up (Job backoffLimit 3) | ${stats(migration.map((r) => (r.outcome.migrations.status === 'skipped' ? 0 : s1(r.outcome.migrations.durationMs))))} | ${sum(migration.map((r) => r.load.duringRelease.requests))} | ${sum(migration.map((r) => r.load.failed))} |
| control: maxUnavailable 100% (must fail) | ${stats(control.map((r) => s1(r.outcome.upgrade?.durationMs ?? 0)))} | ${sum(control.map((r) => r.load.duringRelease.requests))} | ${sum(control.map((r) => r.load.failed))} (per run ${control.map((r) => r.load.failed).join(', ')}) |
| good release without the preStop sleep (\`preStopSleepSeconds: 0\`) | ${stats(noPreStop.map((r) => s1(r.outcome.upgrade?.durationMs ?? 0)))} | ${sum(noPreStop.map((r) => r.load.duringRelease.requests))} | ${sum(noPreStop.map((r) => r.load.failed))} (per run ${noPreStop.map((r) => r.load.failed).join(', ')}) |
`;
  // The ADR's short version: the figures a reader of the rollback strategy asks for first.
  const adr = `| ${runs} runs on the sandbox, ${rate} req/s | rollout / rollback time (min / median / max) | requests served while it ran | failed |
| --- | ---: | ---: | ---: |
| good release (\`helm upgrade --atomic\` until Ready) | ${stats(good.map((r) => s1(r.outcome.upgrade?.durationMs ?? 0)))} | ${sum(good.map((r) => r.load.duringRelease.requests))} | ${sum(good.map((r) => r.load.failed))} |
| bad release rolled back (time: the rollback alone, after the ${badTimeout} s timeout; requests: the whole release) | ${stats(bad.map((r) => (r.outcome.upgrade?.rollbackStartedAfterMs === undefined ? Number.NaN : s1(r.outcome.upgrade.durationMs - r.outcome.upgrade.rollbackStartedAfterMs))))} | ${sum(bad.map((r) => r.load.duringRelease.requests))} | ${sum(bad.map((r) => r.load.failed))} |
| failed migration (the step gives up; no pod changes) | ${stats(migration.map((r) => (r.outcome.migrations.status === 'skipped' ? 0 : s1(r.outcome.migrations.durationMs))))} | ${sum(migration.map((r) => r.load.duringRelease.requests))} | ${sum(migration.map((r) => r.load.failed))} |
| control: maxUnavailable 100% (must fail) | ${stats(control.map((r) => s1(r.outcome.upgrade?.durationMs ?? 0)))} | ${sum(control.map((r) => r.load.duringRelease.requests))} | ${sum(control.map((r) => r.load.failed))} |
`;
  process.stdout.write(`${section}\n`);
  if (values['write-docs']) {
    for (const [file, name, text] of [
      [repoPath('docs', 'benchmarks.md'), 'bench:release', section],
      [repoPath('docs', 'adr', '0005-release-lifecycle.md'), 'release-figures', adr],
    ] as const) {
      await updateMarkedSection(file, name, text);
      log(`updated ${file}`);
    }
  }
} finally {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
}
