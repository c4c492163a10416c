// Game day figures for docs/benchmarks.md, measured on a fresh sandbox (never asserted in tests):
// the wall time of a full game day (expectations/sandbox.json's gameday section) and of each
// stage, and the size of its report. Each run loses the zone the database primary is in.
//
//   node packages/gameday/bench/gameday.bench.ts [--runs 1] [--write-docs]
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoPath, updateMarkedSection } from '@stackproof/core';
import { SandboxClient, sandboxDown, sandboxUp } from '@stackproof/sandbox';
import { waitForSteadyState } from '../src/gameday.test-helpers.ts';
import { type GameDayResult, runGameDay, STAGES, writeGameDayReport } from '../src/index.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string' }, 'write-docs': { type: 'boolean' } },
});
const runs = Number(values.runs ?? 1);
const dir = await mkdtemp(join(tmpdir(), 'stackproof-gameday-bench-'));
const out = await mkdtemp(join(tmpdir(), 'stackproof-gameday-bench-out-'));
await chmod(dir, 0o755);
const log = (line: string) => process.stderr.write(`${line}\n`);
const range = (xs: readonly number[], unit: string): string => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 'no data';
  const f = (x: number) => `${Math.round(x * 10) / 10}`;
  return s.length === 1
    ? `${f(s[0] as number)}${unit}`
    : `${f(s[0] as number)} / ${f(s[Math.floor((s.length - 1) / 2)] as number)} / ${f(s.at(-1) as number)}${unit}`;
};

try {
  const upStarted = Date.now();
  await sandboxUp({ dir });
  const upSeconds = (Date.now() - upStarted) / 1000;
  const client = await SandboxClient.connect(dir);
  const results: GameDayResult[] = [];
  const sizes: Record<string, number[]> = { html: [], json: [], junit: [] };
  for (let i = 0; i < runs; i++) {
    await waitForSteadyState(client);
    const result = await runGameDay({
      stack: { kind: 'sandbox', dir },
      version: (
        JSON.parse(await readFile(repoPath('packages', 'cli', 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version,
      expectationsFile: repoPath('expectations', 'sandbox.json'),
      outDir: join(out, `run-${i}`),
      onProgress: log,
    });
    const files = await writeGameDayReport(result);
    for (const [k, f] of Object.entries(files)) sizes[k]?.push((await stat(f)).size / 1024);
    log(`game day ${i + 1}/${runs}: ${result.passed ? 'pass' : 'FAIL'} in ${result.seconds} s`);
    results.push(result);
  }
  const stageRows = STAGES.map((name) => {
    const secs = results
      .map((r) => r.stages.find((s) => s.name === name)?.seconds)
      .filter((x): x is number => x !== undefined);
    return `| ${name} | ${range(secs, ' s')} |`;
  });
  const section = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, expectations/sandbox.json's gameday section (scale-out: 10 s baseline, 20 s ramp, 60 s sustain, 5 s drop, 110 s cool-down; outage: 10 s baseline, 45 s fault window, 10 s settle), other engineers' test runs sharing the cores (load average ${loadavg()[0]?.toFixed(1)} at the end). Reproduce: \`node packages/gameday/bench/gameday.bench.ts --runs ${runs} --write-docs\`. Verdicts: ${results.map((r) => (r.passed ? 'pass' : 'fail')).join(', ')}; \`sandbox up\` took ${Math.round(upSeconds)} s before them.

| stage | wall time (${runs === 1 ? 'one run' : `min / median / max of ${runs}`}) |
| --- | ---: |
| whole game day | ${range(
    results.map((r) => r.seconds),
    ' s',
  )} |
${stageRows.join('\n')}

| report file | size |
| --- | ---: |
| report.html (self-contained: uPlot inlined, every event in a table) | ${range(sizes.html ?? [], ' KiB')} |
| report.json (every evidence event, the stages, the timeline) | ${range(sizes.json ?? [], ' KiB')} |
| junit.xml | ${range(sizes.junit ?? [], ' KiB')} |
`;
  process.stdout.write(section);
  if (values['write-docs']) {
    const file = repoPath('docs', 'benchmarks.md');
    await updateMarkedSection(file, 'bench:gameday', section);
    log(`updated ${file}`);
  }
} finally {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
}
