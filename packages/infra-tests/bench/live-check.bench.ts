/**
 * Wall time and AWS API calls of `stackproof live check` on the sandbox (both sides, every check).
 *
 *   node packages/infra-tests/bench/live-check.bench.ts [--dir .sandbox] [--runs 5] [--write-docs]
 *
 * Starts the sandbox (`stackproof sandbox up`, idempotent) unless one runs in --dir, then runs the
 * real CLI as a user would, `--runs` times, and reads the calls from its JSON report (counted by
 * the SDK middleware in @stackproof/infra-tests). --write-docs replaces the table between the
 * bench:live markers of docs/benchmarks.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoPath, updateMarkedSection } from '@stackproof/core';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '.sandbox' },
    runs: { type: 'string', default: '5' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const BIN = repoPath('packages', 'cli', 'src', 'bin.ts');
const dir = resolve(values.dir);
const runs = Number(values.runs);

execFileSync(process.execPath, [BIN, 'sandbox', 'up', '--dir', dir], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
const envText = execFileSync(process.execPath, [BIN, 'sandbox', 'env', '--dir', dir], {
  encoding: 'utf8',
});
const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/' };
for (const m of envText.matchAll(/^export ([A-Z0-9_]+)='((?:[^']|'\\'')*)'$/gm)) {
  env[m[1] as string] = (m[2] as string).replaceAll("'\\''", "'");
}

const work = await mkdtemp(join(tmpdir(), 'stackproof-live-bench-'));
const walls: number[] = [];
let calls = 0;
let requests = 0;
let kube = 0;
let passed = true;
let byOperation: Record<string, number> = {};
try {
  for (let i = 0; i < runs; i++) {
    const report = join(work, `live-${i}.json`);
    const t0 = performance.now();
    const run = spawnSync(
      process.execPath,
      [
        BIN,
        'live',
        'check',
        '--outputs',
        env.STACKPROOF_OUTPUTS_DIR ?? join(dir, 'outputs'),
        '--expectations',
        repoPath('expectations', 'sandbox.json'),
        '--format',
        'json',
        '--output',
        report,
      ],
      { env, encoding: 'utf8' },
    );
    walls.push((performance.now() - t0) / 1000);
    if (run.status !== 0 && run.status !== 1)
      throw new Error(`live check exited ${run.status}: ${run.stderr}`);
    const json = JSON.parse(await readFile(report, 'utf8'));
    calls = json.aws.calls;
    requests = json.aws.requests;
    kube = json.kubeRequests;
    byOperation = json.aws.byOperation;
    passed &&= json.summary.passed;
    process.stderr.write(
      `run ${i + 1}: ${walls[i]?.toFixed(2)} s, ${calls} AWS calls, ${kube} Kubernetes requests, ${json.summary.passed ? 'PASSED' : 'FAILED'}\n`,
    );
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

const sorted = [...walls].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
const date = new Date().toISOString().slice(0, 10);
const table = `<!-- bench:live:start -->
Measured ${date} on this ${cpus().length}-core machine (load average ${loadavg()[0]?.toFixed(1)} at the end), ${runs} runs, ${passed ? 'every run PASSED' : 'some run FAILED'}:

| what | measured | goal |
| --- | ---: | --- |
| wall time of \`stackproof live check\` (Node start to exit, both sides, 54 properties) | median ${median.toFixed(2)} s (min ${sorted[0]?.toFixed(2)}, max ${sorted[sorted.length - 1]?.toFixed(2)}) | < 20 s |
| AWS API calls (SDK middleware; requests incl. retries) | ${calls} (${requests}) | <= 40 |
| Kubernetes API requests | ${kube} | — |

Calls per operation: ${Object.entries(byOperation)
  .map(([op, n]) => `${op} ${n}`)
  .join(', ')}.
<!-- bench:live:end -->`;
process.stdout.write(`${table}\n`);
if (values['write-docs']) {
  // the table carries its own markers for the terminal; the document keeps its own
  const inner = table.split('\n').slice(1, -1).join('\n');
  await updateMarkedSection(repoPath('docs', 'benchmarks.md'), 'bench:live', inner);
}
