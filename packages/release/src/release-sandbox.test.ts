import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readExpectationsFile, repoPath } from '@stackproof/core';
import { parseLoadExpectations } from '@stackproof/load';
import { checkPageInChromium, drawnCharts } from '@stackproof/report/testing';
import { type SandboxState, sandboxDown, sandboxUp } from '@stackproof/sandbox';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from './cluster.ts';
import { zeroFailedCheck } from './judge.ts';
import { databaseOfDeployment, MIGRATIONS_TABLE } from './migration-drift.ts';
import { proveReleaseLifecycle, type ReleaseProof, type ScenarioResult } from './prove.ts';

// The whole proof on a sandbox of its own, started as `stackproof sandbox up` starts one: the
// reference backend behind its Service, its HPA (min 3) and PDB, PostgreSQL with the migrated
// schema, the chart installed by Helm. Each scenario is a real release under real k6 load; the
// assertions read k6's numbers, the Deployment's revision history and Helm's, each directly.

const OUT = fileURLToPath(new URL('../.test-output/', import.meta.url));

let dir: string;
let state: SandboxState;
let proof: ReleaseProof;

function scenario(name: string): ScenarioResult {
  const found = proof.scenarios.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no scenario ${name}`);
  return found;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-release-sandbox-'));
  await chmod(dir, 0o755); // PostgreSQL runs as `postgres` and must enter it
  ({ state } = await sandboxUp({ dir }));
}, 600_000);

afterAll(async () => {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('the release lifecycle on the sandbox, under steady load', () => {
  it('runs every scenario; every check passes', async () => {
    const { config } = await readExpectationsFile(repoPath('expectations', 'sandbox.json'));
    const expectations = parseLoadExpectations(config.sections.load, config).config;
    if (expectations === undefined)
      throw new Error('expectations/sandbox.json has no load section');
    proof = await proveReleaseLifecycle({
      kubeconfig: state.kubeconfig,
      namespace: state.namespace,
      release: 'stackproof',
      chart: repoPath('charts', 'stackproof-workloads'),
      target: state.services.backend as string,
      hpa: expectations.hpa,
      expectations,
      outDir: join(OUT, 'proof'),
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    const notPassed = proof.evidence.filter((e) => e.status !== 'pass');
    expect(notPassed.map((e) => `${e.check}: ${e.status}: ${e.detail}`)).toEqual([]);
    expect(proof.scenarios.map((s) => [s.name, s.verdict])).toEqual([
      ['unsafe-strategy', 'pass'],
      ['good-release', 'pass'],
      ['bad-release', 'pass'],
      ['failed-migration', 'pass'],
    ]);
    expect(proof.passed).toBe(true);
  }, 1_800_000);

  it('a good release: k6 saw no failed request; revision +1 in the Deployment and in Helm', () => {
    const r = scenario('good-release').record;
    expect(r.load.coveredRelease).toBe(true);
    expect(r.load.failed).toBe(0);
    expect(r.load.duringRelease.requests).toBeGreaterThan(0);
    expect(r.outcome.status).toBe('deployed');
    expect(r.outcome.migrations.status).toBe('succeeded');
    expect(r.after.revision).toBe(r.before.revision + 1);
    expect(r.after.activeHash).not.toBe(r.before.activeHash);
    expect(r.after.pods.filter((p) => p.hash === r.before.activeHash)).toEqual([]);
    const last = r.historyAfter.at(-1);
    expect(last?.status).toBe('deployed');
    expect(r.historyAfter.at(-2)?.status).toBe('superseded');
    expect(r.rollout.belowFloor).toEqual([]);
    expect(r.rollout.pdbViolations).toEqual([]);
  });

  it('a bad release: rolled back by --atomic within its timeout, the old pods kept serving, no failed request', () => {
    const r = scenario('bad-release').record;
    expect(r.load.coveredRelease).toBe(true);
    expect(r.load.failed).toBe(0);
    expect(r.outcome.status).toBe('rolled-back');
    expect(r.outcome.upgrade?.rolledBack).toBe(true);
    // helm gave up at its timeout and the rollback itself took well under a minute more
    expect(r.outcome.upgrade?.durationMs).toBeGreaterThanOrEqual(r.timeoutSeconds * 1000);
    expect(r.outcome.upgrade?.durationMs).toBeLessThan((r.timeoutSeconds + 60) * 1000);
    const [failed, rolledBack] = r.historyAfter.slice(-2);
    const before = r.historyBefore.at(-1)?.revision ?? 0;
    expect(failed).toMatchObject({ revision: before + 1, status: 'failed' });
    expect(rolledBack).toMatchObject({
      revision: before + 2,
      status: 'deployed',
      description: `Rollback to ${before}`,
    });
    // Deployment: revision N -> N+1 (the bad ReplicaSet) -> N+2 on the old ReplicaSet again
    expect(r.after.revision).toBe(r.before.revision + 2);
    expect(r.after.activeHash).toBe(r.before.activeHash);
    const bad = r.rollout.replicaSets.filter((rs) => rs.new);
    expect(bad.length).toBeGreaterThanOrEqual(1);
    expect(bad.every((rs) => rs.maxReady === 0 && rs.revision === r.before.revision + 1)).toBe(
      true,
    );
    expect(r.rollout.podsCreated.every((p) => p.readyAtMs === null)).toBe(true);
    // the pods that served before the release are the ones serving after it, none restarted
    const served = r.before.pods.filter((p) => p.ready).map((p) => `${p.name}:${p.restarts}`);
    expect(r.after.pods.filter((p) => p.ready).map((p) => `${p.name}:${p.restarts}`)).toEqual(
      expect.arrayContaining(served),
    );
  });

  it('a failed migration: the release stopped before helm, the Deployment and its pods unchanged', async () => {
    const r = scenario('failed-migration').record;
    expect(r.load.coveredRelease).toBe(true);
    expect(r.load.failed).toBe(0);
    expect(r.outcome.status).toBe('migrations-failed');
    expect(r.outcome.migrations).toMatchObject({
      status: 'failed',
      reason: 'BackoffLimitExceeded',
    });
    // why, from the failed pod's status (FallbackToLogsOnError): the migration's own SQL failed
    expect(r.outcome.migrations).toMatchObject({
      logTail: expect.stringMatching(/already exists/),
    });
    expect(r.outcome.upgrade).toBeUndefined();
    expect(r.historyAfter).toEqual(r.historyBefore);
    expect(r.after.revision).toBe(r.before.revision);
    expect(r.after.activeHash).toBe(r.before.activeHash);
    expect(r.after.pods.map((p) => p.uid)).toEqual(r.before.pods.map((p) => p.uid));
    expect(r.rollout.podsCreated).toEqual([]);
    // the proof put the migration history back: the next release migrates cleanly
    const db = await databaseOfDeployment(
      loadKubeConfig(state.kubeconfig),
      state.namespace,
      r.deployment,
    );
    const client = new pg.Client({ ...db, ssl: false });
    await client.connect();
    try {
      const rows = await client.query(`SELECT name FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [
        r.forgottenMigration,
      ]);
      expect(rows.rowCount).toBe(1);
    } finally {
      await client.end();
    }
    const items = await fetch(`${state.services.backend}/api/items`);
    expect(items.status).toBe(200);
  });

  it('negative twin: with maxUnavailable 100% the zero-failed check fails (k6 counted failures)', () => {
    const r = scenario('unsafe-strategy').record;
    expect(r.outcome.status).toBe('deployed');
    expect(r.load.failed).toBeGreaterThan(0);
    expect(zeroFailedCheck('unsafe', r.load).status).toBe('fail');
    expect(r.rollout.minAvailable?.available).toBeLessThan(r.rollout.minAvailable?.replicas ?? 0);
  });

  it('writes JSON and JUnit reports, and an HTML report that opens in chromium with its charts drawn', async () => {
    const json = JSON.parse(await readFile(proof.files.json as string, 'utf8')) as ReleaseProof;
    expect(json.scenarios).toHaveLength(4);
    const junit = await readFile(proof.files.junit as string, 'utf8');
    expect(junit).toMatch(/<testsuites tests="12" failures="0"/);
    const charts = await checkPageInChromium(proof.files.html as string, {
      screenshotPath: join(OUT, 'proof', 'report.png'),
      inspect: drawnCharts,
    });
    expect(charts?.length).toBe(8);
    const served = charts?.filter((c) => c.title.startsWith('Steady load')) ?? [];
    expect(served.every((c) => (c.pixels.served ?? 0) > 50)).toBe(true);
  }, 120_000);
});
