import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pollUntil, readExpectationsFile, repoPath } from '@stackproof/core';
import { checkPageInChromium, drawnCharts } from '@stackproof/report/testing';
import { type SandboxState, sandboxDown, sandboxUp } from '@stackproof/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LoadRunResult,
  loadScript,
  operatorManifest,
  parseLoadExpectations,
  prepareRun,
  runLoad,
  type Timeline,
} from './index.ts';

// One sandbox for this file, started through its public API as `stackproof sandbox up` does: the
// reference backend behind its HPA (min 3, max 12, CPU target 70%) with real CPU measured.
const OUT = fileURLToPath(new URL('../.test-output/', import.meta.url));
const HPA = 'stackproof/stackproof-backend';
const run = promisify(execFile);

let dir: string;
let state: SandboxState;
let scaleOut: LoadRunResult;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', state.kubeconfig, ...args], {
    timeout: 60_000,
  });
  return stdout;
}

async function expectations() {
  const { config } = await readExpectationsFile(repoPath('expectations', 'sandbox.json'));
  const parsed = parseLoadExpectations(config.sections.load, config);
  if (parsed.config === undefined) throw new Error(parsed.errors.join('; '));
  return parsed.config;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-load-sandbox-'));
  await chmod(dir, 0o755); // PostgreSQL runs as `postgres` and must enter it
  ({ state } = await sandboxUp({ dir }));
}, 600_000);

afterAll(async () => {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('scale-out on the sandbox', () => {
  it('the backend scales from its minimum to >= 5 replicas under load and back; the contract holds', async () => {
    scaleOut = await runLoad({
      scenario: 'scale-out',
      target: state.services.backend as string,
      hpa: HPA,
      kubeconfig: state.kubeconfig,
      expectations: await expectations(),
      outDir: join(OUT, 'scale-out'),
    });
    const { summary } = scaleOut;
    expect(summary.failures, summary.failures.join('\n')).toEqual([]);
    expect(summary.passed).toBe(true);
    const t = summary.timings;
    expect(t?.initialDesired).toBe(3);
    expect(t?.peakDesired).toBeGreaterThanOrEqual(5);
    expect(t?.peakReady).toBeGreaterThanOrEqual(5);
    expect(t?.scaledInSeconds).not.toBeNull();
    const checks = summary.evidence.map((e) => `${e.check}:${e.status}`);
    for (const check of [
      'hpa-allows-peak',
      'desired-replicas-rise',
      'ready-replicas-follow',
      'replicas-scale-in',
    ]) {
      expect(checks).toContain(`${check}:pass`);
    }
    expect(summary.evidence.every((e) => e.property === 'k8s.hpa-scales-out')).toBe(true);
    // the merged-sample evaluation agrees with k6's own verdict on a single process
    const k6 = new Map(
      scaleOut.k6Thresholds?.map((r) => [`${r.metric} ${r.expression}`, r.passed]),
    );
    for (const v of summary.thresholds)
      expect(k6.get(`${v.metric} ${v.expression}`)).toBe(v.passed);

    // one clock: the replica step comes after the load step, in the same timeline
    const timeline = JSON.parse(
      await readFile(join(OUT, 'scale-out', 'timeline.json'), 'utf8'),
    ) as Timeline;
    const loadStep = timeline.points.find((p) => p.phase === 'ramp' && p.requests >= 20);
    const replicaStep = timeline.points.find((p) => p.desired !== null && p.desired > 3);
    expect(loadStep).toBeDefined();
    expect(replicaStep).toBeDefined();
    expect((replicaStep?.t ?? 0) > (loadStep?.t ?? 0)).toBe(true);
    expect(timeline.sampling.medianIntervalSeconds).toBeLessThanOrEqual(1.1);
    const junit = await readFile(join(OUT, 'scale-out', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/failures="0"/);
  }, 900_000);

  it('the report opens in headless chromium without console errors and draws load, latency and replicas', async () => {
    expect(scaleOut).toBeDefined();
    const charts = await checkPageInChromium(join(OUT, 'scale-out', 'report.html'), {
      screenshotPath: join(OUT, 'scale-out', 'report.png'),
      inspect: drawnCharts,
    });
    expect(charts?.map((c) => c.title)).toEqual([
      'Load (requests per second)',
      'Latency (ms)',
      'Replicas and CPU',
    ]);
    const series = (title: string, label: string) =>
      charts?.find((c) => c.title.startsWith(title))?.pixels[label] ?? 0;
    for (const [title, label] of [
      ['Load', 'achieved'],
      ['Latency', 'p95'],
      ['Replicas', 'desired'],
      ['Replicas', 'ready'],
    ] as const) {
      expect(series(title, label), `${title}/${label}`).toBeGreaterThan(50);
    }
  }, 120_000);

  it('negative twin: an HPA whose maxReplicas equals minReplicas fails the contract and names the bound', async () => {
    await kubectl(
      'patch',
      'hpa',
      'stackproof-backend',
      '-n',
      'stackproof',
      '--type=merge',
      '-p',
      '{"spec":{"maxReplicas":3}}',
    );
    try {
      const { summary } = await runLoad({
        scenario: 'scale-out',
        target: state.services.backend as string,
        hpa: HPA,
        kubeconfig: state.kubeconfig,
        expectations: await expectations(),
        // long enough for the HPA to act if it could; no cool-down: nothing to scale in
        overrides: { durationSeconds: 45, cooldownSeconds: 0 },
        outDir: join(OUT, 'scale-out-max-equals-min'),
      });
      expect(summary.passed).toBe(false);
      const byCheck = new Map(summary.evidence.map((e) => [e.check, e]));
      expect(byCheck.get('hpa-allows-peak')?.status).toBe('fail');
      expect(byCheck.get('hpa-allows-peak')?.detail).toMatch(
        /HPA maxReplicas 3 replicas \(bound >= 5 replicas\)/,
      );
      expect(byCheck.get('desired-replicas-rise')?.status).toBe('fail');
      expect(byCheck.get('desired-replicas-rise')?.detail).toMatch(
        /never reached 5 \(HPA maxReplicas 3\)/,
      );
      expect(summary.failures.join('\n')).toMatch(/hpa-allows-peak/);
    } finally {
      await kubectl(
        'patch',
        'hpa',
        'stackproof-backend',
        '-n',
        'stackproof',
        '--type=merge',
        '-p',
        '{"spec":{"maxReplicas":12}}',
      );
    }
  }, 600_000);
});

describe('k6-operator TestRun for a distributed run', () => {
  it('the generated manifest passes a server-side dry run with the TestRun CRD installed; a broken one does not', async () => {
    await kubectl(
      'apply',
      '--server-side',
      '-f',
      fileURLToPath(new URL('../test-fixtures/k6-operator/k6.io_testruns.yaml', import.meta.url)),
    );
    // `kubectl wait` fails on a CRD whose status is not written yet: poll for Established instead
    await pollUntil(
      async () =>
        (await kubectl(
          'get',
          'crd',
          'testruns.k6.io',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Established")].status}',
        )) === 'True'
          ? true
          : undefined,
      { what: 'the TestRun CRD to be Established', timeoutMs: 60_000, intervalMs: 250 },
    );
    const { runPlan, k6Path } = await prepareRun({
      scenario: 'scale-out',
      target: 'http://stackproof-backend.stackproof.svc',
      hpa: HPA,
      expectations: await expectations(),
      instances: 3,
      outDir: join(OUT, 'manifest'),
    });
    const manifest = await operatorManifest({
      name: 'stackproof-scale-out',
      namespace: 'stackproof',
      runPlan,
      script: loadScript('scale-out'),
      k6Path,
      runnerImage: 'stackproof/k6-xk6-kubernetes:v2.2.0',
    });
    const file = join(dir, 'testrun.json');
    await writeFile(file, JSON.stringify(manifest));
    const applied = await kubectl('apply', '--dry-run=server', '-f', file);
    expect(applied).toMatch(/testrun.k6.io\/stackproof-scale-out created \(server dry run\)/);
    expect(applied).toMatch(/configmap\/stackproof-scale-out-script created \(server dry run\)/);
    const items = (manifest as { items: { kind: string; spec?: { parallelism?: number } }[] })
      .items;
    expect(items.find((i) => i.kind === 'TestRun')?.spec?.parallelism).toBe(3);

    // negative twin: the CRD's schema refuses a TestRun it would not run
    const broken = JSON.parse(JSON.stringify(manifest));
    const testRun = broken.items.find((i: { kind: string }) => i.kind === 'TestRun');
    testRun.spec.parallelism = 'three';
    await writeFile(file, JSON.stringify(broken));
    await expect(kubectl('apply', '--dry-run=server', '-f', file)).rejects.toThrow(/parallelism/);
  }, 180_000);
});
