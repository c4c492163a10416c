import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, reserveLoopbackPort } from '@stackproof/core';
import { seedAwsAccount, writeOutputsDir } from '@stackproof/iac';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BinRun, runBin } from './bin.test-helpers.ts';

// `stackproof live check` as users run it (the real bin, a child process with only the
// environment the ecosystem's conventions use), against moto seeded with the reference account.

const EXPECTATIONS = repoPath('expectations', 'sandbox.json');
const SECRET = 'not-a-real-secret-Zx81';

function stackproof(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
): Promise<BinRun> {
  return runBin(args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, AWS_EC2_METADATA_DISABLED: 'true', ...env },
    timeoutMs: 120_000,
  });
}

/** One line on stderr, naming what to fix; no stack trace, no credential. */
function expectOneLineError(run: BinRun, pattern: RegExp): void {
  expect(run.status, run.stdout + run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('['));
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr).not.toContain(SECRET);
}

let moto: MotoServer;
let dir: string;
let good: string;
let env: Record<string, string>;

beforeAll(async () => {
  moto = await startMotoServer();
  dir = await mkdtemp(join(tmpdir(), 'stackproof-live-cli-'));
  env = {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'me-central-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: SECRET,
  };
  const result = await seedAwsAccount({
    target: {
      endpoint: moto.endpoint,
      region: 'me-central-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'x' },
    },
    nodes: [
      { name: 'a', zone: 'me-central-1a' },
      { name: 'b', zone: 'me-central-1b' },
      { name: 'c', zone: 'me-central-1c' },
    ],
  });
  good = join(dir, 'outputs');
  await writeOutputsDir(result, good);
}, 180_000);

afterAll(async () => {
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('stackproof live check (subprocess, moto)', () => {
  it('exits 0 on the seeded reference account and prints each property with its evidence', async () => {
    const run = await stackproof(
      ['live', 'check', '--outputs', good, '--expectations', EXPECTATIONS, '--side', 'aws'],
      env,
      dir,
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^PASS rds\.multi-az — /m);
    expect(run.stdout).toMatch(
      /PASS {2}arn:aws:rds:me-central-1:\d+:db:prod1-postgres: MultiAZ true/,
    );
    expect(run.stdout).toMatch(/^SKIP rds\.enhanced-monitoring — /m);
    expect(run.stdout).toMatch(/^\d+ AWS API calls \(\d+ requests\)/m);
    expect(run.stdout).toMatch(/^PASSED$/m);
    expect(run.stderr).toMatch(/\[\d+\] pass s3\.versioning/);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  }, 120_000);

  it("writes the gate's report shape as JSON and JUnit with one testsuite per property", async () => {
    const file = join(dir, 'live.json');
    const run = await stackproof(
      [
        'live',
        'check',
        '--outputs',
        good,
        '--expectations',
        EXPECTATIONS,
        '--side',
        'aws',
        '--format',
        'json',
        '--output',
        file,
      ],
      env,
      dir,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PASSED\nreport: /);
    const report = JSON.parse(await readFile(file, 'utf8'));
    expect(report.phase).toBe('live');
    const finding = report.findings.find((f: { rule: string }) => f.rule === 'network.nat-per-az');
    expect(Object.keys(finding)).toEqual(
      expect.arrayContaining(['rule', 'status', 'severity', 'address', 'message']),
    );
    expect(finding.status).toBe('pass');
    expect(report.summary.properties['k8s.pdb-allows-disruption']).toBe('skipped');
    expect(report.aws.calls).toBeGreaterThan(0);
    const junit = await stackproof(
      [
        'live',
        'check',
        '--outputs',
        good,
        '--expectations',
        EXPECTATIONS,
        '--side',
        'aws',
        '--format',
        'junit',
      ],
      env,
      dir,
    );
    expect(junit.stdout).toMatch(/^<\?xml/);
    expect(junit.stdout).toContain(
      '<testsuite name="rds.multi-az" tests="1" failures="0" skipped="0">',
    );
    expect(junit.stdout).toMatch(/<testsuite name="rds.enhanced-monitoring"[^>]*skipped="1">/);
  }, 120_000);

  it("settles the gate's unknowns with the live result of the same property", async () => {
    const gate = join(dir, 'gate.json');
    await writeFile(
      gate,
      JSON.stringify({
        findings: [
          {
            rule: 'autoscaling.multi-az',
            status: 'unknown',
            address: 'aws_autoscaling_group.nodes',
            resourceType: 'aws_autoscaling_group',
            message: 'vpc_zone_identifier is not known until apply',
          },
          {
            rule: 'rds.multi-az',
            status: 'pass',
            address: 'module.postgres.aws_db_instance.this',
            message: 'ok',
          },
        ],
      }),
    );
    const run = await stackproof(
      [
        'live',
        'check',
        '--outputs',
        good,
        '--expectations',
        EXPECTATIONS,
        '--side',
        'aws',
        '--settle',
        gate,
      ],
      env,
      dir,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('SETTLED GATE UNKNOWNS (1)');
    expect(run.stdout).toMatch(
      /autoscaling\.multi-az {2}aws_autoscaling_group\.nodes: unknown in the plan .* → live pass/,
    );
  }, 120_000);

  it('exits 1 when a property fails, naming it (negative twin of exit 0)', async () => {
    const broken = join(dir, 'broken');
    await cp(good, broken, { recursive: true });
    const rds = JSON.parse(await readFile(join(broken, 'rds.json'), 'utf8'));
    // The outputs name a key the database does not use: the encryption check must fail.
    rds.kms_key_arn.value = rds.kms_key_arn.value.replace(
      /key\/.*/,
      'key/00000000-0000-0000-0000-000000000000',
    );
    await writeFile(join(broken, 'rds.json'), JSON.stringify(rds));
    const run = await stackproof(
      ['live', 'check', '--outputs', broken, '--expectations', EXPECTATIONS, '--side', 'aws'],
      env,
      dir,
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^FAIL rds\.encrypted-cmk — /m);
    expect(run.stdout).toMatch(/^FAILED: /m);
  }, 120_000);
});

describe('stackproof live check: bad input and unreachable targets (exit 2, one line)', () => {
  const check = (outputs: string, extra: string[] = []) => [
    'live',
    'check',
    '--outputs',
    outputs,
    '--expectations',
    EXPECTATIONS,
    ...extra,
  ];

  it('refuses a missing outputs directory', async () => {
    expectOneLineError(
      await stackproof(check(join(dir, 'nope'), ['--side', 'aws']), env, dir),
      /outputs directory .*nope does not exist/,
    );
  });

  it('refuses a malformed outputs file and an unknown workspace file', async () => {
    const bad = join(dir, 'malformed');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'network.json'), '{"vpc_id": ');
    expectOneLineError(
      await stackproof(check(bad, ['--side', 'aws']), env, dir),
      /network\.json is not JSON/,
    );
    const unknown = join(dir, 'unknown');
    await mkdir(unknown, { recursive: true });
    await writeFile(join(unknown, 'netwerk.json'), '{}');
    expectOneLineError(
      await stackproof(check(unknown, ['--side', 'aws']), env, dir),
      /netwerk\.json names no workspace of the stack/,
    );
  });

  it('refuses a bad flag with the usage', async () => {
    const run = await stackproof(check(good, ['--format', 'xml']), env, dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--format must be one of text, json, junit/);
  });

  it('names an unreachable AWS endpoint', async () => {
    const port = await reserveLoopbackPort();
    const run = await stackproof(
      check(good, ['--side', 'aws']),
      { ...env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` },
      dir,
    );
    expectOneLineError(
      run,
      new RegExp(`cannot reach AWS at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
    );
  }, 120_000);

  it('names refused (expired) credentials without printing them', async () => {
    // moto checks signatures against its IAM users once INITIAL_NO_AUTH_ACTION_COUNT is 0, as AWS
    // refuses an expired session's keys.
    await using strict = await startMotoServer({
      env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: '0' },
    });
    const run = await stackproof(
      check(good, ['--side', 'aws']),
      { ...env, AWS_ENDPOINT_URL: strict.endpoint, AWS_SESSION_TOKEN: SECRET },
      dir,
    );
    expectOneLineError(
      run,
      /AWS refused the credentials \((InvalidClientTokenId|SignatureDoesNotMatch|.*)\) at .*: refresh or configure them/,
    );
  }, 120_000);

  it('names an unreachable Kubernetes API server', async () => {
    const port = await reserveLoopbackPort();
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: gone\n  context:\n    cluster: gone\n    user: u\nusers:\n- name: u\n  user:\n    token: ${SECRET}\ncurrent-context: gone\n`,
    );
    const run = await stackproof(
      check(good, ['--side', 'kubernetes']),
      { ...env, KUBECONFIG: kubeconfig },
      dir,
    );
    expectOneLineError(
      run,
      new RegExp(
        `cannot reach the Kubernetes API at https://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`,
      ),
    );
    const context = await stackproof(
      check(good, ['--side', 'kubernetes', '--context', 'other']),
      { ...env, KUBECONFIG: kubeconfig },
      dir,
    );
    expectOneLineError(context, /context 'other' is not in the kubeconfig \(contexts: gone\)/);
  }, 60_000);
});
