/**
 * `pnpm bench:policy`: wall time and peak RSS of the policy gate, in the same run as native OPA
 * (`opa eval`, same Rego, same projected input) and Checkov (same plan files):
 *   - on generated plans of 1k, 10k, 50k and 200k resources (OPA and Checkov up to --compare-max:
 *     at 200k they take tens of minutes);
 *   - on the real-plan corpus (test-fixtures/real-plans, and $STACKPROOF_REAL_PLANS_DIR when set),
 *     with the agreement between stackproof and Checkov on the rules both have.
 * A benchmark, not a test: figures go to docs/benchmarks.md.
 *
 *   node packages/policies/bench/bench-policy.ts [--sizes 1000,10000,50000,200000] [--runs 3]
 *        [--compare-max 50000] [--no-checkov] [--no-corpus] [--no-synthetic] [--timeout 900]
 *        [--write-docs]
 *        [--rego-dir DIR --bundle policy.wasm]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { projectConfiguration } from '../src/plan-shards.ts';
import { PolicyBundle } from '../src/policy-bundle.ts';
import { readTerraformPlan } from '../src/terraform-plan.ts';
import { writeSyntheticPlan } from './generate-plan.ts';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = join(PACKAGE_DIR, '..', '..');
const CLI_BIN = join(REPO_DIR, 'packages', 'cli', 'src', 'bin.ts');
const CORPUS_DIR = join(PACKAGE_DIR, 'test-fixtures', 'real-plans');
const CHECKOV_VERSION = '3.3.30';
const CACHE_DIR = process.env.STACKPROOF_CACHE ?? join(homedir(), '.cache', 'stackproof');
const CHECKOV_VENV = join(CACHE_DIR, 'checkov-venv');
const DOCS_FILE = join(REPO_DIR, 'docs', 'benchmarks.md');
const MARKS = {
  synthetic: ['<!-- bench:policy:start -->', '<!-- bench:policy:end -->'],
  corpus: ['<!-- bench:policy-corpus:start -->', '<!-- bench:policy-corpus:end -->'],
} as const;

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,50000,200000' },
    runs: { type: 'string', default: '3' },
    'compare-max': { type: 'string', default: '50000' },
    'no-checkov': { type: 'boolean', default: false },
    'no-corpus': { type: 'boolean', default: false },
    'no-synthetic': { type: 'boolean', default: false },
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
const compareMax = Number(args['compare-max']);
const timeoutMs = Number(args.timeout) * 1000;

interface Measurement {
  readonly wallSeconds: number;
  readonly maxRssMb: number;
}
type Outcome = Measurement | { readonly skipped: string };

/**
 * Runs a command under GNU time; exit codes 0 and 1 are both "ran" (1 = findings), and 2 too when
 * `refusals` (a file the gate refuses as bad input is a result of the corpus run).
 */
function measure(
  command: string,
  commandArgs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  refusals = false,
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
  if (match === null || (exit !== undefined && exit !== '1' && !(refusals && exit === '2'))) {
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
    { encoding: 'utf8', timeout: 20 * 60_000 },
  );
  if (pip.status !== 0)
    return {
      note: `pip install checkov failed: ${pip.stderr.trim().split('\n').slice(-2).join(' ')}`,
    };
  return version() === CHECKOV_VERSION
    ? { bin }
    : { note: 'checkov installed but reports another version' };
}

const CHECKOV_ENV = {
  ...process.env,
  BC_SKIP_MAPPING: 'TRUE',
  CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false',
};

/** Checkov on one plan file, its JSON written to `out`. */
function runCheckov(bin: string, plan: string, out: string): Outcome {
  return measure(
    '/bin/sh',
    [
      '-c',
      `"$0" -f "$1" --framework terraform_plan --skip-download -o json > "$2" 2>/dev/null`,
      bin,
      plan,
      out,
    ],
    CHECKOV_ENV,
  );
}

/** The gate's CLI on one file, its JSON report written to `out`. */
function runGate(plan: string, out: string, refusals = false): Outcome {
  return measure(
    process.execPath,
    [CLI_BIN, 'policy', 'check', plan, '--format', 'json', '--output', out, '--bundle', BUNDLE],
    process.env,
    refusals,
  );
}

function cell(outcome: Outcome | undefined, key: 'wallSeconds' | 'maxRssMb'): string {
  if (outcome === undefined) return 'n/a';
  if ('skipped' in outcome) return 'skipped';
  return key === 'wallSeconds'
    ? `${outcome.wallSeconds.toFixed(2)} s`
    : `${Math.round(outcome.maxRssMb)} MB`;
}

function pair(outcome: Outcome | undefined): string {
  return `${cell(outcome, 'wallSeconds')} / ${cell(outcome, 'maxRssMb')}`;
}

function ratio(a: Outcome | undefined, b: Outcome | undefined): string {
  if (a === undefined || b === undefined || 'skipped' in a || 'skipped' in b) return 'n/a';
  return `${(b.wallSeconds / a.wallSeconds).toFixed(1)}x`;
}

/**
 * Rules both tools have, stackproof id → Checkov ids (Checkov fails the property when any of them
 * fails). Where the two claims differ, the note says how (read with the differences below).
 */
const SHARED_RULES: Readonly<Record<string, { checkov: readonly string[]; note?: string }>> = {
  'rds.multi-az': { checkov: ['CKV_AWS_157'] },
  'rds.deletion-protection': { checkov: ['CKV_AWS_293'] },
  'rds.not-public': { checkov: ['CKV_AWS_17'] },
  'rds.iam-auth': { checkov: ['CKV_AWS_161'] },
  'rds.log-exports': { checkov: ['CKV_AWS_129'] },
  'rds.backup-retention': { checkov: ['CKV_AWS_133'], note: 'Checkov: > 0 days; stackproof: >= 7' },
  'rds.encrypted-cmk': {
    checkov: ['CKV_AWS_16'],
    note: 'Checkov: encrypted; stackproof: with a CMK',
  },
  'rds.enhanced-monitoring': {
    checkov: ['CKV_AWS_118'],
    note: 'Checkov: any interval; stackproof: <= 15 s',
  },
  'rds.performance-insights-encrypted': { checkov: ['CKV_AWS_354'] },
  'rds.force-ssl': { checkov: ['CKV2_AWS_69'] },
  'kms.rotation': { checkov: ['CKV_AWS_7'] },
  's3.versioning': { checkov: ['CKV_AWS_21'] },
  's3.encryption-kms': { checkov: ['CKV_AWS_145'] },
  's3.public-access-block': { checkov: ['CKV2_AWS_6'] },
  's3.access-logging': { checkov: ['CKV_AWS_18'] },
  'eks.private-endpoint': { checkov: ['CKV_AWS_38'] },
  'eks.secrets-encryption': { checkov: ['CKV_AWS_58'] },
  'eks.control-plane-logs': { checkov: ['CKV_AWS_37'] },
  'ecr.immutable-tags': { checkov: ['CKV_AWS_51'] },
  'ecr.scan-on-push': { checkov: ['CKV_AWS_163'] },
  'ecr.encryption-kms': { checkov: ['CKV_AWS_136'], note: 'Checkov: KMS; stackproof: a CMK' },
  'dynamodb.pitr': { checkov: ['CKV_AWS_28'] },
  'dynamodb.encryption': { checkov: ['CKV_AWS_119'] },
  'ec2.imdsv2-required': { checkov: ['CKV_AWS_79'] },
  'network.vpc-flow-logs': { checkov: ['CKV2_AWS_11'] },
  'network.default-sg-closed': { checkov: ['CKV2_AWS_12'] },
  'network.sg-open-ingress': {
    checkov: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_277'],
    note: 'Checkov: 22, 3389, all ports; stackproof adds 5432',
  },
};

interface Agreement {
  both: number;
  agree: number;
  oursUnknown: number;
  onlyOurs: number;
  differences: string[];
}

/** Agreement of two reports on the shared rules, resource by resource. */
function agreement(ours: string, checkov: string): Agreement {
  const gate = JSON.parse(ours) as {
    findings: { rule: string; address: string; status: string }[];
  };
  const parsed = JSON.parse(checkov) as unknown;
  const reports = (Array.isArray(parsed) ? parsed : [parsed]) as {
    results?: { passed_checks?: CheckovCheck[]; failed_checks?: CheckovCheck[] };
  }[];
  const results = new Map<string, 'PASSED' | 'FAILED'>();
  for (const report of reports) {
    for (const [list, verdict] of [
      [report.results?.passed_checks ?? [], 'PASSED'],
      [report.results?.failed_checks ?? [], 'FAILED'],
    ] as const) {
      for (const check of list) {
        const key = `${check.check_id} ${check.resource_address ?? check.resource}`;
        if (results.get(key) !== 'FAILED') results.set(key, verdict);
      }
    }
  }
  const out: Agreement = { both: 0, agree: 0, oursUnknown: 0, onlyOurs: 0, differences: [] };
  for (const finding of gate.findings) {
    const shared = SHARED_RULES[finding.rule];
    if (shared === undefined) continue;
    const verdicts = shared.checkov
      .map((id) => results.get(`${id} ${finding.address}`))
      .filter((v) => v !== undefined);
    if (verdicts.length === 0) {
      out.onlyOurs++;
      continue;
    }
    const theirs = verdicts.includes('FAILED') ? 'fail' : 'pass';
    if (finding.status === 'unknown') {
      out.oursUnknown++;
      out.differences.push(
        `${finding.rule} ${finding.address}: stackproof unknown, Checkov ${theirs}`,
      );
      continue;
    }
    out.both++;
    if (finding.status === theirs) out.agree++;
    else
      out.differences.push(
        `${finding.rule} ${finding.address}: stackproof ${finding.status}, Checkov ${theirs} (${shared.checkov.join('+')})`,
      );
  }
  return out;
}

interface CheckovCheck {
  readonly check_id: string;
  readonly resource: string;
  readonly resource_address?: string;
}

async function syntheticTable(
  dir: string,
  opa: string | undefined,
  checkov: { bin?: string; note?: string },
): Promise<string[]> {
  // OPA gets the same policy sources the bundle is built from (no *_test.rego).
  const regoDir = join(dir, 'rego');
  await cp(REGO_DIR, regoDir, {
    recursive: true,
    filter: (source) => !source.endsWith('_test.rego'),
  });
  const contract = await (await PolicyBundle.load(BUNDLE)).contract();
  const rows: string[] = [];
  const notes: string[] = [];
  for (const size of sizes) {
    const plan = join(dir, `plan-${size}.json`);
    const { bytes } = await writeSyntheticPlan(plan, size);
    // The input the wasm policy receives, projected the same way, in one document for `opa eval`.
    const loaded = await readTerraformPlan(plan, { reads: contract.planReads });
    const configuration = projectConfiguration(
      loaded.plan.configuration,
      new Set(contract.planReads.keys()),
      contract.planReads,
    );
    const input = join(dir, `input-${size}.json`);
    await writeFile(
      input,
      JSON.stringify({
        kind: 'terraform-plan',
        params: {},
        plan: { ...loaded.plan, ...(configuration !== undefined ? { configuration } : {}) },
      }),
    );
    const inputBytes = (await stat(input)).size;
    process.stderr.write(
      `${size} resources: plan ${(bytes / 1e6).toFixed(1)} MB, projected input ${(inputBytes / 1e6).toFixed(1)} MB\n`,
    );
    const out = join(dir, 'out.json');
    const gate = median(Array.from({ length: runs }, () => runGate(plan, out)));
    const report = JSON.parse(await readFile(out, 'utf8')) as {
      summary: { total: number; fail: number; unknown: number };
    };
    await rm(out, { force: true });
    const compared = size <= compareMax;
    const opaOutcome: Outcome =
      opa === undefined
        ? { skipped: 'opa not found (OPA_BIN, PATH)' }
        : !compared
          ? { skipped: `not run above --compare-max ${compareMax}` }
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
        : !compared
          ? { skipped: `not run above --compare-max ${compareMax}` }
          : runCheckov(checkov.bin, plan, '/dev/null');
    await rm(input, { force: true });
    await rm(plan, { force: true });
    for (const [name, outcome] of [
      ['opa', opaOutcome],
      ['checkov', checkovOutcome],
      ['stackproof', gate],
    ] as const) {
      if ('skipped' in outcome) notes.push(`${name} at ${size}: ${outcome.skipped}`);
    }
    rows.push(
      `| ${size.toLocaleString('en-US')} | ${(bytes / 1e6).toFixed(0)} MB | ${report.summary.total} (${report.summary.fail} fail, ${report.summary.unknown} unknown) | ` +
        `${pair(gate)} | ${pair(opaOutcome)} | ${pair(checkovOutcome)} | ${ratio(gate, opaOutcome)} | ${ratio(gate, checkovOutcome)} |`,
    );
  }
  return [
    `Wall time is the median of ${runs} run(s) (Checkov: 1), peak RSS the maximum (GNU time).`,
    '',
    '| resources | plan size | results | stackproof (wall / peak RSS) | opa eval (wall / peak RSS) | checkov (wall / peak RSS) | opa ÷ stackproof | checkov ÷ stackproof |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
  ];
}

async function corpusTable(dir: string, checkov: { bin?: string; note?: string }) {
  const files = [
    ...readdirSync(CORPUS_DIR)
      .filter((f) => f.endsWith('.json') && f !== 'corpus.json')
      .map((f) => join(CORPUS_DIR, f)),
    ...(process.env.STACKPROOF_REAL_PLANS_DIR !== undefined
      ? readdirSync(process.env.STACKPROOF_REAL_PLANS_DIR)
          .filter((f) => f.endsWith('.json'))
          .map((f) => join(process.env.STACKPROOF_REAL_PLANS_DIR as string, f))
      : []),
  ];
  const seen = new Set<string>();
  const rows: string[] = [];
  const differences: string[] = [];
  const totals = { both: 0, agree: 0, oursUnknown: 0 };
  for (const file of files) {
    const name = basename(file);
    if (seen.has(name)) continue;
    seen.add(name);
    let resources: number | string;
    try {
      resources = (await readTerraformPlan(file)).resourceCount;
    } catch (error) {
      resources = `refused (${(error as { code?: string }).code ?? 'error'})`;
    }
    const ours = join(dir, 'gate.json');
    const theirs = join(dir, 'checkov.json');
    await rm(ours, { force: true });
    const gate = median(Array.from({ length: runs }, () => runGate(file, ours, true)));
    const ck =
      checkov.bin === undefined
        ? ({ skipped: checkov.note ?? 'not installed' } as Outcome)
        : runCheckov(checkov.bin, file, theirs);
    let agreed = 'n/a';
    if (existsSync(ours) && !('skipped' in ck)) {
      try {
        const a = agreement(await readFile(ours, 'utf8'), await readFile(theirs, 'utf8'));
        totals.both += a.both;
        totals.agree += a.agree;
        totals.oursUnknown += a.oursUnknown;
        agreed = `${a.agree}/${a.both}${a.oursUnknown > 0 ? ` (+${a.oursUnknown} unknown)` : ''}`;
        differences.push(...a.differences.map((d) => `${name}: ${d}`));
      } catch (error) {
        agreed = `unreadable (${(error as Error).message.slice(0, 60)})`;
      }
    }
    const local = file.startsWith(CORPUS_DIR) ? '' : ' †';
    rows.push(`| ${name}${local} | ${resources} | ${pair(gate)} | ${pair(ck)} | ${agreed} |`);
    process.stderr.write(`corpus ${name}: ${rows[rows.length - 1]}\n`);
  }
  return [
    `Every plan of the corpus (test-fixtures/real-plans${process.env.STACKPROOF_REAL_PLANS_DIR !== undefined ? ', and † the plans of $STACKPROOF_REAL_PLANS_DIR that cannot be redistributed' : ''}):`,
    `stackproof \`policy check --format json\` (median of ${runs}) and \`checkov -f … --framework terraform_plan\` (1 run).`,
    '"agree" counts the (rule, resource) pairs both judged on the rules both have (stackproof id → Checkov id in',
    '`SHARED_RULES` of bench-policy.ts), where both said pass or both said fail.',
    '',
    '| file | resources | stackproof (wall / peak RSS) | checkov (wall / peak RSS) | agree |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Over the corpus: ${totals.agree} of ${totals.both} shared verdicts agree; ${totals.oursUnknown} more are unknown to stackproof (decided live).`,
    '',
    'Differences:',
    '',
    ...(differences.length > 0 ? differences.map((d) => `- ${d}`) : ['- none']),
  ];
}

async function writeSection(marks: readonly [string, string], body: readonly string[]) {
  const block = [marks[0], ...body, marks[1]].join('\n');
  process.stdout.write(`${block}\n`);
  if (!args['write-docs']) return;
  await mkdir(join(REPO_DIR, 'docs'), { recursive: true });
  const current = existsSync(DOCS_FILE)
    ? await readFile(DOCS_FILE, 'utf8')
    : '# Benchmarks\n\n## Policy gate\n\n';
  const start = current.indexOf(marks[0]);
  const end = current.indexOf(marks[1]);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + marks[1].length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(DOCS_FILE, next);
  process.stderr.write(`updated ${DOCS_FILE}\n`);
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE)) {
    throw new Error(`${BUNDLE} is missing: build it with packages/policies/scripts/build-wasm.sh`);
  }
  const opa = findOpa();
  const checkov = args['no-checkov'] ? { note: 'disabled with --no-checkov' } : ensureCheckov();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const opaVersion =
    opa === undefined
      ? 'not found'
      : (spawnSync(opa, ['version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '');
  const machine = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, Node ${process.version}, ${opaVersion}, checkov ${checkov.bin !== undefined ? CHECKOV_VERSION : 'not run'}.`;
  const dir = await mkdtemp(join(tmpdir(), 'stackproof-bench-'));
  try {
    if (!args['no-synthetic']) {
      await writeSection(MARKS.synthetic, [machine, ...(await syntheticTable(dir, opa, checkov))]);
    }
    if (!args['no-corpus']) {
      await writeSection(MARKS.corpus, [machine, ...(await corpusTable(dir, checkov))]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
