import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BinRun, runBinSync } from './bin.test-helpers.ts';

// The CLI's own plans (packages/cli/test-fixtures): a plan with failing, unknown and sensitive
// values and the .tf sources its findings point at, an empty plan, and bad inputs.
const FIXTURES = fileURLToPath(new URL('../test-fixtures/', import.meta.url));
// The real-plan corpus, with its sources and licences, is the policies package's
// (packages/policies/test-fixtures/real-plans/SOURCES.md); real-plans.test.ts runs all of it.
const REAL_PLANS = fileURLToPath(
  new URL('../../policies/test-fixtures/real-plans/', import.meta.url),
);
// A real plan (Terraform 1.0.7, Checkov's tests) whose only problems are unknowns: the AZs of two
// Auto Scaling groups whose subnets the plan does not create.
const ONLY_UNKNOWN = join(REAL_PLANS, 'checkov-asg-dynamodb-tags-variety.json');

/** Runs the real `stackproof` bin as a user would (Node runs the .ts entry directly). */
function stackproof(args: readonly string[], cwd: string = FIXTURES): BinRun {
  return runBinSync(args, cwd);
}

// Each test starts the real bin a few times; the machine is shared, so bounds are generous.
describe('stackproof policy check (subprocess)', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stackproof-cli-'));
    await writeFile(join(dir, 'empty.json'), '');
    const plan = await readFile(join(FIXTURES, 'terraform', 'plan.json'));
    await writeFile(join(dir, 'truncated.json'), plan.subarray(0, 700));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 on a clean (empty) plan', () => {
    const run = stackproof(['policy', 'check', 'empty-plan.json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/0 failed.*PASSED/);
  });

  it('exits 1 when a finding is at or above --fail-on, and names it', () => {
    const run = stackproof(['policy', 'check', 'terraform/plan.json']);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/FAIL\s+rds\.multi-az\s+aws_db_instance\.legacy/);
    expect(run.stdout).toContain('terraform/main.tf:7');
    expect(run.stdout).not.toContain('do-not-print-me');
  });

  it('exits 0 on the same plan when every failure is waived (negative twin of exit 1)', async () => {
    const waivers = join(dir, 'waive-all.yaml');
    await writeFile(
      waivers,
      'waivers:\n  - rule: "*"\n    address: "*"\n    reason: placeholder that is never valid\n    owner: x\n    expires: 2999-01-01\n',
    );
    // A rule glob is not allowed: the schema refuses it (bad input).
    expect(
      stackproof(['policy', 'check', 'terraform/plan.json', '--waivers', waivers]).status,
    ).toBe(2);
    const json = JSON.parse(
      stackproof(['policy', 'check', 'terraform/plan.json', '--format', 'json']).stdout,
    ) as {
      findings: { rule: string; address: string; status: string }[];
    };
    const failing = json.findings.filter((f) => f.status === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    const entries = failing.map(
      (f) =>
        `  - rule: ${f.rule}\n    address: ${JSON.stringify(f.address)}\n    reason: accepted in the test suite\n    owner: test\n    expires: 2999-01-01\n`,
    );
    await writeFile(waivers, `waivers:\n${entries.join('')}`);
    const run = stackproof(['policy', 'check', 'terraform/plan.json', '--waivers', waivers]);
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).toContain('WAIVED');
  });

  it('an expired waiver fails the run and says so', async () => {
    const waivers = join(dir, 'expired.yaml');
    await writeFile(
      waivers,
      'waivers:\n  - rule: rds.multi-az\n    address: aws_db_instance.legacy\n    reason: expired exception for the test\n    owner: team-db\n    expires: 2020-01-01\n',
    );
    const run = stackproof(['policy', 'check', 'empty-plan.json', '--waivers', waivers]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /expired waiver: rds\.multi-az aws_db_instance\.legacy .* expired on 2020-01-01/,
    );
  });

  it('--fail-on sets the threshold: a real plan whose only failure is medium', () => {
    const plan = join(REAL_PLANS, 'checkov-eks-node-group-remote-access.json');
    const json = JSON.parse(stackproof(['policy', 'check', plan, '--format', 'json']).stdout) as {
      findings: { severity: string; status: string }[];
    };
    expect(json.findings.filter((f) => f.status === 'fail').map((f) => f.severity)).toEqual([
      'medium',
    ]);
    expect(stackproof(['policy', 'check', plan]).status).toBe(0);
    expect(stackproof(['policy', 'check', plan, '--fail-on', 'medium']).status).toBe(1);
  });

  it('--fail-on-unknown fails a real plan whose only problem is an unknown', () => {
    const json = JSON.parse(
      stackproof(['policy', 'check', ONLY_UNKNOWN, '--format', 'json']).stdout,
    ) as { findings: { severity: string; status: string }[] };
    expect(json.findings.filter((f) => f.status === 'fail')).toEqual([]);
    expect(json.findings.filter((f) => f.status === 'unknown').map((f) => f.severity)).toEqual([
      'high',
      'high',
    ]);
    // Negative twin: without the flag the unknown does not fail the run…
    expect(stackproof(['policy', 'check', ONLY_UNKNOWN]).status).toBe(0);
    // …with it, it does.
    const run = stackproof(['policy', 'check', ONLY_UNKNOWN, '--fail-on-unknown']);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/FAILED: 2 finding\(s\) at or above high/);
  });

  it('writes --output atomically and prints the counts line', async () => {
    const out = join(dir, 'report.sarif');
    const run = stackproof([
      'policy',
      'check',
      'terraform/plan.json',
      '--format',
      'sarif',
      '--output',
      out,
    ]);
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const sarif = JSON.parse(await readFile(out, 'utf8')) as {
      version: string;
      runs: { results: unknown[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.results.length).toBeGreaterThan(0);
  });

  it('writes --output into a folder that does not exist yet', async () => {
    const out = join(dir, 'reports', 'nested', 'gate.json');
    const run = stackproof([
      'policy',
      'check',
      'empty-plan.json',
      '--format',
      'json',
      '--output',
      out,
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toHaveProperty('summary.passed', true);
  });

  it('refuses an --output it cannot write, saying why, with exit 2 and no stack trace', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const run = stackproof([
      'policy',
      'check',
      'empty-plan.json',
      '--output',
      join(file, 'gate.json'),
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /error \[OUTPUT_NOT_WRITABLE\] cannot write the report to .*a part of the path is a file/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([[['policy', '--help']], [['policy', '-h']], [['policy', 'check', '--help']]])(
    'stackproof %j prints the usage and exits 0',
    (args) => {
      const run = stackproof(args);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^Usage: stackproof policy check/);
    },
  );

  it.each([
    [['--version']],
    [['policy', '--version']],
    [['policy', 'check', 'plan.json', '--version']],
    [['sandbox', 'up', '--version']],
  ])('stackproof %j prints the version wherever --version stands', (args) => {
    const run = stackproof(args);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('a plan attribute nested 100,000 deep is bad input: exit 2, one line, no stack trace', async () => {
    const plan = JSON.parse(await readFile(ONLY_UNKNOWN, 'utf8')) as {
      resource_changes: { change: { after: Record<string, unknown> } }[];
    };
    const first = plan.resource_changes[0];
    if (first === undefined) throw new Error('the plan has no resource change');
    first.change.after.vpc_zone_identifier = '__deep__';
    const file = join(dir, 'deep.json');
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    await writeFile(file, JSON.stringify(plan).replace('"__deep__"', deep));
    const run = stackproof(['policy', 'check', file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/error \[NESTED_TOO_DEEP\] .*nests more than 64 levels deep/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a bare `stackproof policy` prints the usage and exits 2', () => {
    const run = stackproof(['policy']);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/Usage: stackproof policy check/);
  });

  it.each([
    ['a 0-byte file', ['tmp:empty.json'], /EMPTY_FILE/],
    ['truncated JSON', ['tmp:truncated.json'], /TRUNCATED_JSON/],
    ['a state file', ['bad-inputs/state.json'], /STATE_NOT_PLAN/],
    ['plan format 2.0', ['bad-inputs/format-2.json'], /UNSUPPORTED_FORMAT_VERSION/],
    ['a missing file', ['nope.json'], /INPUT_NOT_FOUND/],
    ['an unknown format', ['empty-plan.json', '--format', 'xml'], /--format must be one of/],
    ['an unknown option', ['empty-plan.json', '--frobnicate'], /Unknown option/],
    ['no target', [], /expected exactly one/],
  ])('exits 2 on %s with a message', (_name, args, message) => {
    const resolved = args.map((a) => (a.startsWith('tmp:') ? join(dir, a.slice(4)) : a));
    const run = stackproof(['policy', 'check', ...resolved]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('exits 3 when the policy bundle itself is missing', () => {
    const run = stackproof([
      'policy',
      'check',
      'empty-plan.json',
      '--bundle',
      join(dir, 'none.wasm'),
    ]);
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/POLICY_BUNDLE.*missing/);
  });
});
