/**
 * `pnpm bench:policy`: wall time and peak RSS of the policy gate on generated plans of 1k, 10k and
 * 50k resources, in the same run as native OPA (`opa eval`, same Rego, same prepared input) and
 * Checkov (same plan files). A benchmark, not a test: figures go to docs/benchmarks.md.
 *
 *   node packages/policies/bench/bench-policy.ts [--sizes 1000,10000,50000] [--runs 3]
 *        [--no-checkov] [--timeout 900] [--write-docs] [--rego-dir DIR --bundle policy.wasm]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readTerraformPlan } from '../src/terraform-plan.ts';
import { writeSyntheticPlan } from './generate-plan.ts';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = join(PACKAGE_DIR, '..', '..');
const CLI_BIN = join(REPO_DIR, 'packages', 'cli', 'src', 'bin.ts');
const CHECKOV_VERSION = '3.3.30';
const CACHE_DIR = process.env.STACKPROOF_CACHE ?? join(homedir(), '.cache', 'stackproof');
const CHECKOV_VENV = join(CACHE_DIR, 'checkov-venv');
const DOCS_FILE = join(REPO_DIR, 'docs', 'benchmarks.md');
const START_MARK = '<!-- bench:policy:start -->';
const END_MARK = '<!-- bench:policy:end -->';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,50000' },
    runs: { type: 'string', default: '3' },
    'no-checkov': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '900' },
    'write-docs': { type: 'boolean', default: false },
    'rego-dir': { type: 'string', default: join(PACKAGE_DIR, 'rego') },
    bundle: { type: 'string', default: join(PACKAGE_DIR, 'bundle', 'policy.wasm') },
  },
});
const REGO_DIR = args['rego-dir'];
const BUNDLE = args.bundle;
const sizes = args.sizes.split(',').map(Number);
const runs = Number(args.runs);
const timeoutMs = Number(args.timeout) * 1000;

interface Measurement {
  readonly wallSeconds: number;
  readonly maxRssMb: number;
}
type Outcome = Measurement | { readonly skipped: string };

/** Runs a command under GNU time; exit codes 0 and 1 are both "ran" (1 = findings). */
function measure(
  command: string,
  commandArgs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Outcome {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...commandArgs], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 1024 * 1024 * 1024,
    env,
  });
  if (result.error !== undefined) return { skipped: `did not finish: ${result.error.message}` };
  const lines = result.stderr.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  const match = /^([\d.]+) (\d+)$/.exec(last);
  const exit = /Command exited with non-zero status (\d+)/.exec(result.stderr)?.[1];
  if (match === null || (exit !== undefined && exit !== '1')) {
    return { skipped: `failed (exit ${exit ?? result.status}): ${lines.slice(-4).join(' | ')}` };
  }
  return { wallSeconds: Number(match[1]), maxRssMb: Number(match[2]) / 1024 };
}

function median(outcomes: readonly Outcome[]): Outcome {
  const ok = outcomes.filter((o): o is Measurement => 'wallSeconds' in o);
  if (ok.length === 0) return outcomes[0] ?? { skipped: 'not run' };
  const sorted = [...ok].sort((a, b) => a.wallSeconds - b.wallSeconds);
  const mid = sorted[Math.floor(sorted.length / 2)] as Measurement;
  return { wallSeconds: mid.wallSeconds, maxRssMb: Math.max(...ok.map((o) => o.maxRssMb)) };
}

function findOpa(): string | undefined {
  const candidates = [
    process.env.OPA_BIN,
    ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'opa')),
    '/tmp/prebuild/opa',
  ];
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c));
}

/** Checkov in its own venv under the cache; undefined (with the reason) when it cannot be installed. */
function ensureCheckov(): { bin?: string; note?: string } {
  const bin = join(CHECKOV_VENV, 'bin', 'checkov');
  const version = (): string =>
    existsSync(bin) ? spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (version() === CHECKOV_VERSION) return { bin };
  process.stderr.write(`installing checkov ${CHECKOV_VERSION} into ${CHECKOV_VENV} …\n`);
  const venv = spawnSync('python3', ['-m', 'venv', CHECKOV_VENV], { encoding: 'utf8' });
  if (venv.status !== 0) return { note: `python3 -m venv failed: ${venv.stderr.trim()}` };
  const pip = spawnSync(
    join(CHECKOV_VENV, 'bin', 'pip'),
    ['install', '-q', `checkov==${CHECKOV_VERSION}`],
    {
      encoding: 'utf8',
      timeout: 20 * 60_000,
    },
  );
  if (pip.status !== 0)
    return {
      note: `pip install checkov failed: ${pip.stderr.trim().split('\n').slice(-2).join(' ')}`,
    };
  return version() === CHECKOV_VERSION
    ? { bin }
    : { note: 'checkov installed but reports another version' };
}

function cell(outcome: Outcome | undefined, key: 'wallSeconds' | 'maxRssMb'): string {
  if (outcome === undefined) return 'n/a';
  if ('skipped' in outcome) return 'skipped';
  return key === 'wallSeconds'
    ? `${outcome.wallSeconds.toFixed(2)} s`
    : `${Math.round(outcome.maxRssMb)} MB`;
}

function ratio(a: Outcome | undefined, b: Outcome | undefined): string {
  if (a === undefined || b === undefined || 'skipped' in a || 'skipped' in b) return 'n/a';
  return `${(b.wallSeconds / a.wallSeconds).toFixed(1)}x`;
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE)) {
    throw new Error(`${BUNDLE} is missing: build it with packages/policies/scripts/build-wasm.sh`);
  }
  const opa = findOpa();
  const checkov = args['no-checkov'] ? { note: 'disabled with --no-checkov' } : ensureCheckov();
  const dir = await mkdtemp(join(tmpdir(), 'stackproof-bench-'));
  // OPA gets the same policy sources the bundle is built from (no *_test.rego).
  const regoDir = join(dir, 'rego');
  await cp(REGO_DIR, regoDir, {
    recursive: true,
    filter: (source) => !source.endsWith('_test.rego'),
  });
  const rows: string[] = [];
  const notes: string[] = [];
  try {
    for (const size of sizes) {
      const plan = join(dir, `plan-${size}.json`);
      const { bytes } = await writeSyntheticPlan(plan, size);
      // The same document the wasm policy receives, for `opa eval`.
      const loaded = await readTerraformPlan(plan);
      const input = join(dir, `input-${size}.json`);
      await writeFile(
        input,
        JSON.stringify({ kind: 'terraform-plan', params: {}, plan: loaded.plan }),
      );
      const inputBytes = (await stat(input)).size;
      process.stderr.write(
        `${size} resources: plan ${(bytes / 1e6).toFixed(1)} MB, input ${(inputBytes / 1e6).toFixed(1)} MB\n`,
      );

      const out = join(dir, 'out.json');
      const gate = median(
        Array.from({ length: runs }, () =>
          measure(process.execPath, [
            CLI_BIN,
            'policy',
            'check',
            plan,
            '--format',
            'json',
            '--output',
            out,
            '--bundle',
            BUNDLE,
          ]),
        ),
      );
      const report = JSON.parse(await readFile(out, 'utf8')) as {
        summary: { total: number; fail: number; unknown: number };
      };
      const opaOutcome: Outcome =
        opa === undefined
          ? { skipped: 'opa not found (OPA_BIN, PATH)' }
          : median(
              Array.from({ length: runs }, () =>
                measure('/bin/sh', [
                  '-c',
                  `"$0" eval --format json -d "$1" -i "$2" data.stackproof.main > /dev/null`,
                  opa,
                  regoDir,
                  input,
                ]),
              ),
            );
      const checkovOutcome: Outcome =
        checkov.bin === undefined
          ? { skipped: checkov.note ?? 'not installed' }
          : measure(
              '/bin/sh',
              [
                '-c',
                `"$0" -f "$1" --framework terraform_plan --skip-download --quiet --compact -o json > /dev/null 2>&1`,
                checkov.bin,
                plan,
              ],
              {
                ...process.env,
                BC_SKIP_MAPPING: 'TRUE',
                CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false',
              },
            );
      for (const [name, outcome] of [
        ['opa', opaOutcome],
        ['checkov', checkovOutcome],
        ['stackproof', gate],
      ] as const) {
        if ('skipped' in outcome) notes.push(`${name} at ${size}: ${outcome.skipped}`);
      }
      rows.push(
        `| ${size.toLocaleString('en-US')} | ${(bytes / 1e6).toFixed(0)} MB | ${report.summary.total} (${report.summary.fail} fail, ${report.summary.unknown} unknown) | ` +
          `${cell(gate, 'wallSeconds')} / ${cell(gate, 'maxRssMb')} | ${cell(opaOutcome, 'wallSeconds')} / ${cell(opaOutcome, 'maxRssMb')} | ` +
          `${cell(checkovOutcome, 'wallSeconds')} / ${cell(checkovOutcome, 'maxRssMb')} | ${ratio(opaOutcome, gate)} | ${ratio(gate, checkovOutcome)} |`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const opaVersion =
    opa === undefined
      ? 'not found'
      : (spawnSync(opa, ['version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '');
  const table = [
    START_MARK,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, Node ${process.version}, ${opaVersion}, checkov ${checkov.bin !== undefined ? CHECKOV_VERSION : 'not run'}.`,
    `Wall time is the median of ${runs} run(s) (Checkov: 1), peak RSS the maximum (GNU time).`,
    '',
    '| resources | plan size | results | stackproof (wall / peak RSS) | opa eval (wall / peak RSS) | checkov (wall / peak RSS) | stackproof ÷ opa | checkov ÷ stackproof |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
    END_MARK,
  ].join('\n');
  process.stdout.write(`${table}\n`);
  if (args['write-docs']) {
    await mkdir(join(REPO_DIR, 'docs'), { recursive: true });
    const current = existsSync(DOCS_FILE)
      ? await readFile(DOCS_FILE, 'utf8')
      : '# Benchmarks\n\n## Policy gate\n\n';
    const start = current.indexOf(START_MARK);
    const end = current.indexOf(END_MARK);
    const next =
      start >= 0 && end > start
        ? `${current.slice(0, start)}${table}${current.slice(end + END_MARK.length)}`
        : `${current.trimEnd()}\n\n${table}\n`;
    await writeFile(DOCS_FILE, next);
    process.stderr.write(`updated ${DOCS_FILE}\n`);
  }
}

await main();
