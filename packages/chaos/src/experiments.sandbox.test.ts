import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { type EvidenceEvent, pollUntil, repoPath } from '@stackproof/core';
import { evaluateLocally, type PolicyQuestion } from '@stackproof/infra-tests';
import { checkPageInChromium, drawnCharts } from '@stackproof/report/testing';
import { SandboxClient, type SandboxState, sandboxDown, sandboxUp } from '@stackproof/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosTimeline } from './analysis.ts';
import { type ChaosSummary, chaosReportHtml } from './chaos-report.ts';
import { pendingRollbacks, readJournal } from './journal.ts';
import {
  faultShadePixels,
  isClean,
  stackproof,
  targetState,
  waitForSteadyState,
} from './sandbox-runs.test-helpers.ts';

// The experiments against one real sandbox, in sequence, through the real `stackproof` bin: an
// AZ outage of me-central-1a under steady load (the issue's acceptance run), a database
// failover, a pod kill, and the negative twin: the backend's replicas all in the lost zone.

const OUT = repoPath('packages', 'chaos', '.test-output');
let dir: string;
let state: SandboxState;
let client: SandboxClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-chaos-experiments-'));
  // mkdtemp makes it 0700; as root PostgreSQL runs as `postgres` and must enter it.
  await chmod(dir, 0o755);
  ({ state } = await sandboxUp({ dir }));
  client = await SandboxClient.connect(dir);
}, 600_000);

afterAll(async () => {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 180_000);

async function outcome(out: string) {
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as ChaosSummary;
  const timeline = JSON.parse(await readFile(join(out, 'timeline.json'), 'utf8')) as ChaosTimeline;
  return { summary, timeline };
}

const byCheck = (events: readonly EvidenceEvent[], check: string) =>
  events.find((e) => e.check === check);

function run(args: readonly string[]) {
  return stackproof(['chaos', 'run', ...args, '--sandbox-dir', dir], { cwd: dir }).done;
}

describe('stackproof chaos run against the sandbox', () => {
  it('az-outage on me-central-1a under steady load: nodes NotReady, endpoints drop, pods move, the database fails over, everything rolled back, no residue', async () => {
    const before = await targetState(client);
    expect(before.database.primaryZone).toBe('me-central-1a');
    const out = join(dir, 'reports', 'az-outage');
    const result = await run(['az-outage', '--zone', 'me-central-1a', '--out', out]);
    // The figures, as the issue asks: printed by the run itself.
    console.log(result.stdout);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const { summary, timeline } = await outcome(out);
    expect(summary).toMatchObject({ passed: true, outcome: 'completed', residue: [] });
    expect(summary.faults.map((f) => [f.kind, f.injected, f.rolledBack])).toEqual([
      ['sandbox.zone-power-loss', true, true],
      ['aws.az-nacl-blackhole', true, true],
      ['aws.instances-stopped', true, true],
      ['sandbox.database-failover', true, true],
    ]);
    // Every measure is evidence under its property, within its bound.
    for (const [check, property] of [
      ['blackhole-one-zone', 'network.nacl-per-az'],
      ['time-to-detect', 'eks.nodegroup-multi-az'],
      ['time-to-recover', 'k8s.topology-spread-zone'],
      ['requests-failed', 'k8s.topology-spread-zone'],
      ['rds-downtime', 'rds.multi-az'],
    ] as const) {
      expect(byCheck(summary.evidence, check), check).toMatchObject({
        property,
        phase: 'chaos',
        status: 'pass',
      });
    }
    // What the cluster did, read from the run's own timeline.
    const points = timeline.points;
    expect(points.some((p) => p.nodesReady['me-central-1a'] === 0)).toBe(true);
    const baseline = points[0]?.endpoints['stackproof-backend'] ?? 0;
    expect(baseline).toBe(3);
    expect(points.some((p) => (p.endpoints['stackproof-backend'] ?? 0) < baseline)).toBe(true);
    const t0 = Math.min(...timeline.faults.map((f) => f.journaledAt)) / 1000;
    const rollback =
      Math.min(...timeline.faults.map((f) => f.rollbackStartedAt ?? Number.POSITIVE_INFINITY)) /
      1000;
    const elsewhere = (p: (typeof points)[number]) =>
      (p.podsByZone['me-central-1b'] ?? 0) + (p.podsByZone['me-central-1c'] ?? 0);
    const beforeFault = points.filter((p) => p.t < t0).at(-1);
    const lateInFault = points.filter((p) => p.t < rollback).at(-1);
    expect(
      lateInFault === undefined || beforeFault === undefined ? 0 : elsewhere(lateInFault),
    ).toBeGreaterThan(beforeFault === undefined ? 0 : elsewhere(beforeFault));
    // The database failed over under the probe: another server answered afterwards.
    const rds = byCheck(summary.evidence, 'rds-downtime');
    expect(rds?.data?.serverAfter ?? timeline.sqlProbe.at(-1)?.server).not.toBe(
      rds?.data?.serverBefore,
    );
    // Zero residue, read from the target, not from the run.
    const after = await targetState(client);
    expect(isClean(after)).toBe(true);
    expect(after.database.primaryZone).toBe('me-central-1b');
    expect(pendingRollbacks(await readJournal(join(out, 'journal.jsonl')))).toEqual([]);

    // The report opens in chromium, draws every series, and shades the fault window; the same
    // timeline without faults shades nothing (negative twin).
    const shaded = await checkPageInChromium(summary.files.report as string, {
      screenshotPath: join(OUT, 'az-outage-report.png'),
      inspect: async (page) => ({
        charts: await drawnCharts(page),
        shade: await faultShadePixels(page),
      }),
    });
    expect(shaded?.charts.map((c) => c.title)).toContain(
      'Ready endpoints per Service (EndpointSlices)',
    );
    for (const chart of shaded?.charts ?? []) {
      for (const [label, points] of Object.entries(chart.points)) {
        expect(points, `${chart.title}/${label}`).toBeGreaterThan(0);
      }
    }
    expect(Math.min(...(shaded?.shade ?? [0]))).toBeGreaterThan(1000);
    const unshadedFile = join(OUT, 'az-outage-without-faults.html');
    await writeFile(unshadedFile, chaosReportHtml(summary, { ...timeline, faults: [] }));
    const unshaded = await checkPageInChromium(unshadedFile, {
      screenshotPath: join(OUT, 'az-outage-without-faults.png'),
      inspect: faultShadePixels,
    });
    // Without faults only the anti-aliased edges of the red 'failed' line match: a few dozen pixels.
    expect(Math.max(...(unshaded ?? [0]))).toBeLessThan(Math.min(...(shaded?.shade ?? [0])) / 100);
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="stackproof chaos az-outage" tests="\d+" failures="0"/);
    expect(junit).toContain('classname="rds.multi-az"');
  }, 600_000);

  it('the chaos IAM role (terraform/modules/stackproof-iam) allows every AWS call the az-outage run made, on tagged resources, and nothing FIS’s NACL cloning would need', async () => {
    const { summary } = await outcome(join(dir, 'reports', 'az-outage'));
    const tfstate = JSON.parse(await readFile(join(state.outputsDir, '_tfstate.json'), 'utf8'));
    const policy = tfstate.chaos_policy_json.value as string;
    const region = 'me-central-1';
    const account = '123456789012';
    const tagged = {
      'aws:RequestedRegion': region,
      'aws:ResourceTag/stackproof.io/chaos-target': 'true',
      'aws:ResourceTag/eks:cluster-name': 'prod1',
    };
    const SERVICES: Record<string, string> = {
      EC2: 'ec2',
      RDS: 'rds',
      EKS: 'eks',
      AutoScaling: 'autoscaling',
      ELBv2: 'elasticloadbalancing',
    };
    const question = (operation: string): PolicyQuestion => {
      const [service, name] = operation.split('.') as [string, string];
      const action = `${SERVICES[service] ?? service.toLowerCase()}:${name}`;
      if (/NetworkAclEntry$/.test(name)) {
        return {
          action,
          resource: `arn:aws:ec2:${region}:${account}:network-acl/acl-1`,
          context: tagged,
        };
      }
      if (/^(Stop|Start)Instances$/.test(name)) {
        return {
          action,
          resource: `arn:aws:ec2:${region}:${account}:instance/i-1`,
          context: tagged,
        };
      }
      if (name === 'RebootDBInstance') {
        return {
          action,
          resource: `arn:aws:rds:${region}:${account}:db:prod1-postgres`,
          context: tagged,
        };
      }
      return { action, resource: '*', context: { 'aws:RequestedRegion': region } };
    };
    // GetCallerIdentity needs no permission: every principal may ask who it is.
    const operations = Object.keys(summary.awsCalls).filter((op) => op !== 'STS.GetCallerIdentity');
    expect(operations).toEqual(
      expect.arrayContaining(['EC2.CreateNetworkAclEntry', 'EC2.StopInstances']),
    );
    const denied = operations.filter((op) => evaluateLocally([policy], question(op)) !== 'allowed');
    expect(denied).toEqual([]);
    // Negative twin: what the policy is not for is refused by the same evaluation.
    expect(
      evaluateLocally([policy], {
        action: 'ec2:ReplaceNetworkAclAssociation',
        resource: `arn:aws:ec2:${region}:${account}:network-acl/acl-1`,
        context: tagged,
      }),
    ).not.toBe('allowed');
  });

  it('rds-failover: the SQL probe measures the downtime, the standby rejoins, the backend keeps serving', async () => {
    await waitForSteadyState(client);
    const primary = (await client.database()).primary.zone;
    const out = join(dir, 'reports', 'rds-failover');
    const result = await run([
      'rds-failover',
      '--baseline',
      '5s',
      '--duration',
      '20s',
      '--settle',
      '5s',
      '--out',
      out,
    ]);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const { summary } = await outcome(out);
    expect(byCheck(summary.evidence, 'rds-downtime')).toMatchObject({
      property: 'rds.multi-az',
      status: 'pass',
    });
    expect(byCheck(summary.evidence, 'requests-failed')).toMatchObject({ status: 'pass' });
    const after = await client.database();
    expect(after.primary.zone).not.toBe(primary);
    expect(after.multiAz).toBe(true);
  }, 300_000);

  it('pod-kill: a backend pod dies, its endpoint leaves, a replacement is Ready, requests keep succeeding', async () => {
    await waitForSteadyState(client);
    const out = join(dir, 'reports', 'pod-kill');
    const result = await run([
      'pod-kill',
      '--selector',
      'app.kubernetes.io/component=backend',
      '--baseline',
      '5s',
      '--duration',
      '30s',
      '--settle',
      '0s',
      '--out',
      out,
    ]);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const { summary } = await outcome(out);
    expect(byCheck(summary.evidence, 'time-to-detect')).toMatchObject({
      property: 'k8s.replicas-min',
      status: 'pass',
    });
    expect(byCheck(summary.evidence, 'time-to-recover')).toMatchObject({
      property: 'k8s.replicas-min',
      status: 'pass',
    });
    expect(summary.residue).toEqual([]);
  }, 300_000);

  it('negative twin: with every backend replica pinned to me-central-1a, the outage breaks the recovery bound and the run fails with k8s.topology-spread-zone', async () => {
    await waitForSteadyState(client);
    const kc = new KubeConfig();
    kc.loadFromFile(state.kubeconfig);
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const name = 'stackproof-backend';
    const pin = async (zone: string | null) => {
      // A variant of the chart's Deployment, as an overlay would make it: every replica in one
      // zone (the chart itself has no such value; its spread is what the twin takes away).
      await apps.patchNamespacedDeployment(
        {
          name,
          namespace: state.namespace,
          body: {
            spec: {
              template: {
                spec: {
                  nodeSelector: zone === null ? null : { 'topology.kubernetes.io/zone': zone },
                },
              },
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      await pollUntil(
        async () => {
          const d = await apps.readNamespacedDeployment({ name, namespace: state.namespace });
          const pods = (
            await core.listNamespacedPod({
              namespace: state.namespace,
              labelSelector: 'app.kubernetes.io/component=backend',
            })
          ).items.filter((p) => p.metadata?.deletionTimestamp === undefined);
          const rolled =
            (d.status?.updatedReplicas ?? 0) === (d.spec?.replicas ?? -1) &&
            (d.status?.readyReplicas ?? 0) === (d.spec?.replicas ?? -1) &&
            pods.length === d.spec?.replicas;
          return rolled ? true : undefined;
        },
        {
          what: `${name} rolled out ${zone === null ? 'unpinned' : `pinned to ${zone}`}`,
          timeoutMs: 240_000,
          intervalMs: 1_000,
        },
      );
    };
    await pin('me-central-1a');
    try {
      const out = join(dir, 'reports', 'one-zone');
      const result = await run(['az-outage', '--zone', 'me-central-1a', '--out', out]);
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(1);
      expect(result.stdout).toMatch(/fail\s+k8s\.topology-spread-zone\s+time-to-recover/);
      const { summary } = await outcome(out);
      expect(summary.passed).toBe(false);
      expect(byCheck(summary.evidence, 'time-to-recover')).toMatchObject({
        property: 'k8s.topology-spread-zone',
        status: 'fail',
      });
      // The failure is the platform's; the run still rolled everything back and left nothing.
      expect(summary.residue).toEqual([]);
      expect(summary.faults.every((f) => f.rolledBack)).toBe(true);
      expect(isClean(await targetState(client))).toBe(true);
    } finally {
      await pin(null);
    }
  }, 600_000);
});
