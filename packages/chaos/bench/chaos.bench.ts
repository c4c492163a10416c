// Chaos figures for docs/benchmarks.md, measured on a fresh sandbox (never asserted in tests):
// - t0 → every fault in effect, and rollback start → no residue (asked of the target);
// - time to detect, time to recover, requests failed and the database downtime of az-outage;
// - the database failover on its own: the SQL probe's downtime and how long the stand-in's
//   endpoint refused connections.
// Each az-outage hits the zone the database primary is in, so every run includes the failover
// (the primary alternates between two zones).
//
//   node packages/chaos/bench/chaos.bench.ts [--runs 3] [--write-docs]
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoPath, updateMarkedSection } from '@stackproof/core';
import { SandboxClient, sandboxDown, sandboxUp } from '@stackproof/sandbox';
import { type ChaosSummary, runChaosExperiment } from '../src/index.ts';
import { waitForSteadyState } from '../src/sandbox-runs.test-helpers.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string' }, 'write-docs': { type: 'boolean' } },
});
const runs = Number(values.runs ?? 3);
const dir = await mkdtemp(join(tmpdir(), 'stackproof-chaos-bench-'));
const out = await mkdtemp(join(tmpdir(), 'stackproof-chaos-bench-out-'));
await chmod(dir, 0o755);
const log = (line: string) => process.stderr.write(`${line}\n`);
const expectationsFile = repoPath('expectations', 'sandbox.json');

const stats = (xs: readonly (number | undefined)[], unit = ' s'): string => {
  const s = xs.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  if (s.length === 0) return 'no data';
  const f = (x: number) => `${Math.round(x * 100) / 100}`;
  return `${f(s[0] as number)} / ${f(s[Math.floor((s.length - 1) / 2)] as number)} / ${f(s.at(-1) as number)}${unit}${s.length < xs.length ? ` (${xs.length - s.length} run(s) without one)` : ''}`;
};

try {
  await sandboxUp({ dir });
  const client = await SandboxClient.connect(dir);
  const outages: ChaosSummary[] = [];
  const endpointDown: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Back in the steady state: every node Ready, every Deployment ready, the standby in sync.
    await waitForSteadyState(client);
    const zone = (await client.database()).primary.zone;
    const result = await runChaosExperiment({
      request: { experiment: 'az-outage', zones: [zone] },
      stack: { kind: 'sandbox', dir },
      expectationsFile,
      outDir: join(out, `az-outage-${i}`),
    });
    if (result.dryRun) throw new Error('a dry run');
    const { summary, timeline } = result;
    log(
      `az-outage ${i + 1}/${runs} on ${zone}: ${summary.verdict} (${summary.outcome}); ${JSON.stringify(summary.timings)}`,
    );
    for (const failure of summary.failures) log(`  ${failure}`);
    outages.push(summary);
    const db = timeline.faults.find((f) => f.kind === 'sandbox.database-failover')?.record;
    if (typeof db?.endpointDownMs === 'number') endpointDown.push(db.endpointDownMs / 1000);
  }
  const failovers: ChaosSummary[] = [];
  for (let i = 0; i < runs; i++) {
    await waitForSteadyState(client);
    const result = await runChaosExperiment({
      request: { experiment: 'rds-failover' },
      stack: { kind: 'sandbox', dir },
      expectationsFile,
      outDir: join(out, `rds-failover-${i}`),
      overrides: { baselineSeconds: 5, faultSeconds: 20, settleSeconds: 5 },
    });
    if (result.dryRun) throw new Error('a dry run');
    log(
      `rds-failover ${i + 1}/${runs}: ${result.summary.verdict}; ${JSON.stringify(result.summary.timings)}`,
    );
    failovers.push(result.summary);
    const db = result.timeline.faults[0]?.record;
    if (typeof db?.endpointDownMs === 'number') endpointDown.push(db.endpointDownMs / 1000);
  }
  const t = (s: ChaosSummary[], key: keyof ChaosSummary['timings']) => s.map((x) => x.timings[key]);
  const section = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, sandbox defaults (node-monitor grace period 16 s, tolerations 10 s), steady load 10 req/s through the frontend to the database, other engineers' test runs sharing the cores (load average ${loadavg()[0]?.toFixed(1)} at the end). Reproduce: \`node packages/chaos/bench/chaos.bench.ts --runs ${runs} --write-docs\`. Verdicts: az-outage ${outages.map((s) => s.verdict).join(', ')}; rds-failover ${failovers.map((s) => s.verdict).join(', ')}.

| what | min / median / max (${runs} runs each) | goal |
| --- | ---: | --- |
| az-outage: t0 → every fault in effect (power, NACL deny entries, instances stopped, failover) | ${stats(t(outages, 'injectSeconds'))} | < 2 s |
| az-outage: rollback start → no residue (asked of the target) | ${stats(t(outages, 'cleanupSeconds'))} | < 5 s |
| az-outage: time to detect (the zone's endpoints leave the EndpointSlices) | ${stats(t(outages, 'detectedAfterSeconds'))} | — |
| az-outage: time to recover (endpoints back, errors under 1%) | ${stats(t(outages, 'recoveredAfterSeconds'))} | — |
| az-outage: share of requests failed in the 60 s window | ${stats(
    t(outages, 'failedShare').map((x) => (x === undefined ? undefined : x * 100)),
    ' %',
  )} | — |
| az-outage: database downtime (SQL probe, 1 s resolution) | ${stats(t(outages, 'rdsDowntimeSeconds'))} | — |
| rds-failover: database downtime (SQL probe) | ${stats(t(failovers, 'rdsDowntimeSeconds'))} | — |
| database failover: the endpoint refuses connections (stand-in's own measure, both experiments) | ${stats(endpointDown)} | — |
`;
  process.stdout.write(section);
  if (values['write-docs']) {
    const file = repoPath('docs', 'benchmarks.md');
    await updateMarkedSection(file, 'bench:chaos', section);
    log(`updated ${file}`);
  }
} finally {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
}
