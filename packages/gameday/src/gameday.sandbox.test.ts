import { spawnSync } from 'node:child_process';
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { type EvidenceEvent, pollUntil, repoPath } from '@stackproof/core';
import { checkPageInChromium, drawnCharts } from '@stackproof/report/testing';
import { SandboxClient, sandboxDown, sandboxUp } from '@stackproof/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  stackproof,
  type TargetState,
  targetState,
  waitForSteadyState,
} from './gameday.test-helpers.ts';
import { PROPERTY_COLUMNS, type PropertyRow } from './gameday-report.ts';
import type { GameDayResult } from './run-gameday.ts';

// The game day against one real sandbox, through the real `stackproof` bin, shortest path first:
// a failing plan (stops at preflight, injects nothing), the full game day (the acceptance
// run, its report in chromium and the README's screenshot), SIGINT during the outage, and the
// one-zone variant with a shortened outage. Only one full game day runs: the suite's time budget.

const OUT = repoPath('packages', 'gameday', '.test-output');
const SCREENSHOT = repoPath('docs', 'images', 'gameday-report.png');
const SCREENSHOT_SHAPE = repoPath('docs', 'images', 'gameday-report.shape.json');
let dir: string;
let client: SandboxClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-gameday-'));
  // mkdtemp makes it 0700; as root PostgreSQL runs as `postgres` and must enter it.
  await chmod(dir, 0o755);
  await sandboxUp({ dir });
  client = await SandboxClient.connect(dir);
}, 600_000);

afterAll(async () => {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 180_000);

type Report = GameDayResult & { properties: PropertyRow[] };

async function report(out: string): Promise<Report> {
  return JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
}

function gameday(args: readonly string[]) {
  return stackproof(['gameday', '--sandbox-dir', dir, ...args], { cwd: dir });
}

const clean = (s: TargetState): boolean =>
  s.poweredOff.length === 0 && s.denyEntries.length === 0 && s.multiAz;

const failed = (events: readonly EvidenceEvent[], stage: string): string[] => [
  ...new Set(
    events.filter((e) => e.status === 'fail' && e.data?.stage === stage).map((e) => e.property),
  ),
];

describe('stackproof gameday against the sandbox', () => {
  it('a failing plan fails the preflight with exit 1 and injects nothing (checked on the target)', async () => {
    const before = await targetState(client);
    const out = join(dir, 'reports', 'failing-plan');
    const run = await gameday([
      '--plan',
      repoPath('packages', 'policies', 'test-fixtures', 'terraform', 'plan.json'),
      '--out',
      out,
    ]).done;
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(run.stdout).toMatch(/stopped at preflight: the policy gate failed/);
    const r = await report(out);
    expect(r.stopped?.stage).toBe('preflight');
    expect(r.stages.map((s) => [s.name, s.status])).toEqual([
      ['preflight', 'fail'],
      ['scale-out', 'skipped'],
      ['outage', 'skipped'],
      ['recovery', 'skipped'],
      ['live-after', 'skipped'],
      ['rollback', 'skipped'],
    ]);
    expect(failed(r.evidence, 'preflight')).toContain('rds.multi-az');
    // Nothing was injected: no journal, and the target is as it was (no node off, no deny
    // entry, no failover).
    await expect(readFile(join(out, 'outage', 'journal.jsonl'))).rejects.toThrow(/ENOENT/);
    expect(await targetState(client)).toEqual(before);
  }, 120_000);

  it("nightly.yml's game-day step runs as written (its shell, its flags, its paths) and, with a failing plan from the drift job, stops at the gate", async () => {
    // The step's script, taken from the workflow itself, so it cannot drift from the CLI: run by
    // bash in a directory laid out as the job's checkout (outputs, plans, expectations), with
    // `pnpm exec stackproof` meaning this repository's bin. The failing plan keeps it short and
    // off the cluster: the flags, the staging expectations, the outputs directory and the plans
    // loop are exercised; the injection is not (the full game day below is).
    const workflow = await readFile(repoPath('.github', 'workflows', 'nightly.yml'), 'utf8');
    const lines = workflow.split('\n');
    const at = lines.findIndex((l) => /- name: stackproof gameday/.test(l));
    expect(at).toBeGreaterThan(0);
    const runAt = lines.findIndex((l, i) => i > at && /^\s+run: \|$/.test(l));
    const indent = (lines[runAt + 1] ?? '').search(/\S/);
    const script: string[] = [];
    for (const line of lines.slice(runAt + 1)) {
      if (line.trim() !== '' && line.search(/\S/) < indent) break;
      script.push(line.slice(indent));
    }
    expect(script.join('\n')).toMatch(/pnpm exec stackproof gameday/);
    const job = join(dir, 'nightly-job');
    await mkdir(join(job, '.reports', 'plans', 'plan-rds'), { recursive: true });
    await copyFile(
      repoPath('packages', 'policies', 'test-fixtures', 'terraform', 'plan.json'),
      join(job, '.reports', 'plans', 'plan-rds', 'plan.json'),
    );
    await symlink(client.state.outputsDir, join(job, '.reports', 'outputs'));
    await symlink(repoPath('expectations'), join(job, 'expectations'));
    const body = `pnpm() { if [ "$1" = exec ] && [ "$2" = stackproof ]; then shift 2; node ${JSON.stringify(BIN)} "$@"; else command pnpm "$@"; fi; }\n${script.join('\n')}`;
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', body], {
      cwd: job,
      encoding: 'utf8',
      timeout: 300_000,
      env: {
        ...process.env,
        AWS_REGION: 'me-central-1',
        ACCOUNT: '123456789012',
        ENTRY_URL: client.state.services.frontend ?? '',
        STACKPROOF_DATABASE_URL: '',
        KUBECONFIG: client.state.kubeconfig,
      },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(run.stdout).toMatch(
      /stopped at preflight: the policy gate failed on plan-1-plan: .*rds\.multi-az/,
    );
    const r = await report(join(job, '.reports', 'gameday'));
    expect(r.target).toMatch(/^AWS \(me-central-1, outputs /);
    expect(r.zone).toBe('me-central-1a');
  }, 300_000);

  it('a full game day passes; its property table has a verdict in every column that applies; the report renders in chromium and matches report.json', async () => {
    const out = join(OUT, 'full');
    await rm(out, { recursive: true, force: true });
    const summaryFile = join(dir, 'step-summary.md');
    const run = await stackproof(['gameday', '--sandbox-dir', dir, '--out', out], {
      cwd: dir,
      env: { ...process.env, GITHUB_STEP_SUMMARY: summaryFile },
    }).done;
    console.log(run.stdout);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    // Progress named each stage, its elapsed time and its number.
    expect(run.stderr).toMatch(/\[scale-out \d+s\] replicas desired \d+ ready \d+/);
    expect(run.stderr).toMatch(/\[outage \d+s\] PASS outage \(error rate [\d.]+%\)/);
    expect(run.stderr).toMatch(/\[rollback \d+s\] PASS rollback \(pending rollbacks 0\)/);
    const r = await report(out);
    expect(r.passed).toBe(true);
    expect(r.stages.every((s) => s.status === 'pass')).toBe(true);
    // A verdict in every column that applies: never `no evidence`, never a failure. A skip is
    // either the live check's own (moto lacks the API; its event says why) or the plan column of
    // a Terraform property, since the sandbox has no plan to give the gate (docs/terraform.md).
    for (const row of r.properties) {
      for (const c of PROPERTY_COLUMNS) {
        const v = row.verdicts[c.key];
        const where = `${row.property} ${c.key}`;
        expect(['pass', 'waived', '—', 'skipped'], where).toContain(v);
        if (v !== 'skipped') continue;
        if (c.key === 'plan') expect(row.property.startsWith('k8s.'), where).toBe(false);
        else {
          expect(
            r.evidence.some(
              (e) => e.property === row.property && e.phase === c.phase && e.status === 'skipped',
            ),
            where,
          ).toBe(true);
        }
      }
    }
    expect(r.properties.filter((p) => p.verdicts.live === 'pass').length).toBeGreaterThan(30);
    const row = (id: string) => r.properties.find((p) => p.property === id);
    expect(row('k8s.topology-spread-zone')?.verdicts).toMatchObject({
      plan: 'pass',
      live: 'pass',
      chaos: 'pass',
      liveAfter: 'pass',
    });
    expect(row('rds.multi-az')?.verdicts.chaos).toBe('pass');
    expect(Object.values(r.properties).some((p) => p.verdicts.load === 'pass')).toBe(true);
    expect(r.timeline.faults.length).toBe(1);
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toMatch(
      /<testsuite name="gameday properties"[^>]* failures="0"/,
    );
    expect(await readFile(summaryFile, 'utf8')).toContain('## stackproof game day: PASSED');
    expect(clean(await targetState(client))).toBe(true);

    // The page: no console error, nothing fetched, charts drawn, its table what report.json says.
    const shot = join(out, 'report.png');
    const readmeShot = join(out, 'readme.png');
    const seen = await checkPageInChromium(join(out, 'report.html'), {
      screenshotPath: shot,
      viewport: { width: 1280, height: 900 },
      inspect: async (page) => ({
        charts: await drawnCharts(page),
        // The first table of the page is the property table (uPlot's legends are tables too).
        table: await page.$eval('table', (t) =>
          [...t.querySelectorAll('tbody tr')].map((tr) =>
            [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
          ),
        ),
        links: await page.$eval('table', (t) =>
          [...t.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href') ?? ''),
        ),
        anchors: await page.$$eval('tr[id]', (trs) => trs.map((tr) => `#${tr.id}`)),
        // The README's picture: the top of the page (the property table, the stages, the first
        // charts), not the whole evidence table below them.
        readme: await page.screenshot({
          path: readmeShot,
          fullPage: true,
          clip: { x: 0, y: 0, width: 1280, height: 2400 },
        }),
      }),
    });
    expect(seen?.table).toEqual(
      r.properties.map((p) => [
        p.property,
        ...PROPERTY_COLUMNS.map((c) => p.verdicts[c.key]),
        p.title,
      ]),
    );
    expect(seen?.links.length).toBeGreaterThan(0);
    for (const link of seen?.links ?? []) expect(seen?.anchors).toContain(link);
    expect(seen?.charts.map((c) => c.title)).toEqual(
      expect.arrayContaining([
        'Load (requests per second)',
        'Ready nodes per zone',
        'SQL probe through the database endpoint',
      ]),
    );

    // The README's screenshot: regenerated here. The shape it shows (columns, stages, charts; not
    // the property ids, so a new property in the catalogue does not fail this test) is
    // committed beside it; when the report's shape changes, the new screenshot and shape are
    // written into docs/images and this fails until they are committed.
    const shape = {
      columns: PROPERTY_COLUMNS.map((c) => c.label),
      stages: r.stages.map((s) => s.name),
      charts: seen?.charts.map((c) => c.title) ?? [],
    };
    // Compared as data: the committed file is formatted by the linter.
    const committed: unknown = JSON.parse(
      await readFile(SCREENSHOT_SHAPE, 'utf8').catch(() => 'null'),
    );
    if (!isDeepStrictEqual(committed, shape)) {
      await mkdir(join(SCREENSHOT, '..'), { recursive: true });
      await copyFile(readmeShot, SCREENSHOT);
      await writeFile(SCREENSHOT_SHAPE, `${JSON.stringify(shape, null, 2)}\n`);
    }
    expect(
      committed,
      `the report's shape changed: ${SCREENSHOT} and ${SCREENSHOT_SHAPE} were regenerated; commit them`,
    ).toEqual(shape);
    // The committed picture is a PNG (not a placeholder).
    expect([...(await readFile(SCREENSHOT)).subarray(0, 8)]).toEqual([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ]);
  }, 1_200_000);

  it('SIGINT during the outage rolls every fault back and leaves no residue', async () => {
    await waitForSteadyState(client);
    const out = join(dir, 'reports', 'sigint');
    const run = gameday(['--skip', 'scale-out', '--skip', 'live-after', '--out', out]);
    await run.waitFor(/\[outage \d+s\] every fault in effect/);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(1);
    const r = await report(out);
    expect(r.stopped?.stage).toBe('outage');
    expect(r.stopped?.reason).toMatch(/interrupted/);
    const stage = (name: string) => r.stages.find((s) => s.name === name);
    expect(stage('rollback')).toMatchObject({ status: 'pass', figure: 'pending rollbacks 0' });
    expect(stage('live-after')?.status).toBe('skipped');
    expect(clean(await targetState(client))).toBe(true);
  }, 600_000);

  it('the one-zone variant (every backend replica in the lost zone) fails at the outage naming k8s.topology-spread-zone, and still leaves no residue', async () => {
    await waitForSteadyState(client);
    const kc = new KubeConfig();
    kc.loadFromFile(client.state.kubeconfig);
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const namespace = client.state.namespace;
    const name = (
      await apps.listNamespacedDeployment({
        namespace,
        labelSelector: 'app.kubernetes.io/component=backend',
      })
    ).items[0]?.metadata?.name as string;
    const pin = async (zone: string | null): Promise<void> => {
      await apps.patchNamespacedDeployment(
        {
          name,
          namespace,
          body: {
            spec: {
              template: {
                spec: { nodeSelector: { 'topology.kubernetes.io/zone': zone } },
              },
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      await pollUntil(
        async () => {
          const d = await apps.readNamespacedDeployment({ name, namespace });
          const pods = (
            await core.listNamespacedPod({
              namespace,
              labelSelector: 'app.kubernetes.io/component=backend',
            })
          ).items.filter((p) => p.metadata?.deletionTimestamp === undefined);
          const rolled =
            (d.status?.updatedReplicas ?? 0) === (d.spec?.replicas ?? -1) &&
            (d.status?.readyReplicas ?? 0) === (d.spec?.replicas ?? -1) &&
            pods.length === d.spec?.replicas;
          return rolled ? true : undefined;
        },
        { what: `${name} rolled out`, timeoutMs: 300_000, intervalMs: 1_000 },
      );
    };
    // The zone the game day loses by default: the database primary's (so it also fails over).
    const zone = (await client.database()).primary.zone;
    await pin(zone);
    try {
      const out = join(dir, 'reports', 'one-zone');
      const result = await gameday([
        '--skip',
        'scale-out',
        '--skip',
        'live-after',
        '--outage',
        '30s',
        '--out',
        out,
      ]).done;
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(1);
      // The chaos stage names the property: the outage's measures (the error budget spent) or,
      // when the run went the whole window, the time to recover.
      expect(result.stdout).toMatch(/fail\s+k8s\.topology-spread-zone\s+(outage|recovery)\/chaos/);
      const r = await report(out);
      // The gate passed (the chart is fine; the placement is not): the run went on to the outage,
      // where the lost zone took every replica with it.
      expect([...failed(r.evidence, 'outage'), ...failed(r.evidence, 'recovery')]).toContain(
        'k8s.topology-spread-zone',
      );
      expect(
        r.stages.filter((s) => ['outage', 'recovery'].includes(s.name) && s.status === 'fail'),
      ).not.toEqual([]);
      expect(
        r.properties.find((p) => p.property === 'k8s.topology-spread-zone')?.verdicts.chaos,
      ).toBe('fail');
      expect(r.stages.find((s) => s.name === 'rollback')?.status).toBe('pass');
      expect(clean(await targetState(client))).toBe(true);
    } finally {
      await pin(null);
    }
  }, 900_000);
});
