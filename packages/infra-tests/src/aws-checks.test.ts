import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EvidenceEvent } from '@stackproof/core';
import { repoPath } from '@stackproof/core';
import {
  SEED_VARIANTS,
  SEEDED_WORKSPACES,
  type SeedResult,
  seedAwsAccount,
  workspacesNeededFor,
  writeOutputsDir,
} from '@stackproof/iac';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CHECKS } from './checks/registry.ts';
import { openLiveTarget } from './live-target.ts';
import { type LiveRun, runLiveChecks } from './run-live-checks.ts';

// The AWS checks against moto seeded with the reference account (packages/iac's seed, from
// terraform/aws through the real HCL parser): the account passes every check moto can answer, and
// each broken variant of it fails exactly the property it breaks.

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const REGION = 'me-central-1';
const EXPECTATIONS = repoPath('expectations', 'sandbox.json');
const NODES = ['a', 'b', 'c'].flatMap((z) =>
  [0, 1].map((i) => ({ name: `node-${z}-${i}`, zone: `${REGION}${z}` })),
);

/** What moto 5.2.1 cannot answer: these are skipped with the reason, never passed. */
const MOTO_CANNOT_ANSWER: Readonly<Record<string, RegExp>> = {
  'eks.access-entries': /DescribeCluster returned no accessConfig/,
  'rds.performance-insights-encrypted': /returned no PerformanceInsightsEnabled/,
  'rds.enhanced-monitoring': /returned no MonitoringInterval/,
  // The ingress controller creates it (eks/prod1/k8s); tested on its own below.
  'elb.multi-az': /no load balancer in vpc-/,
};

let moto: MotoServer;
let dir: string;
beforeAll(async () => {
  moto = await startMotoServer();
  dir = await mkdtemp(join(tmpdir(), 'stackproof-live-aws-'));
}, 60_000);
afterAll(async () => {
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function seeded(
  options: { workspaces?: readonly string[]; breaks?: string } = {},
): Promise<SeedResult> {
  const reset = await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
  await reset.body?.cancel();
  const result = await seedAwsAccount({
    target: { endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS },
    nodes: NODES,
    ...options,
  });
  await writeOutputsDir(result, join(dir, 'outputs'));
  return result;
}

async function awsRun(): Promise<LiveRun> {
  await using target = await openLiveTarget({
    outputsDir: join(dir, 'outputs'),
    expectationsFile: EXPECTATIONS,
    sides: ['aws'],
    aws: { endpoint: moto.endpoint, credentials: CREDENTIALS },
    env: {},
  });
  return runLiveChecks(target);
}

function byStatus(events: readonly EvidenceEvent[], status: EvidenceEvent['status']): string[] {
  return [...new Set(events.filter((e) => e.status === status).map((e) => e.property))].sort();
}

describe('AWS checks on the seeded reference account (moto)', () => {
  it('passes every AWS check moto can answer, in few calls, and skips the rest saying why', async () => {
    const result = await seeded();
    expect(result.source).toBe('sdk-seed');
    expect(result.workspaces.map((w) => w.name)).toEqual([...SEEDED_WORKSPACES]);
    const run = await awsRun();
    const failures = run.events.filter((e) => e.status === 'fail');
    expect(failures.map((e) => `${e.property} ${e.subject}: ${e.detail}`)).toEqual([]);
    const awsProperties = LIVE_CHECKS.filter((c) => c.side === 'aws').map((c) => c.property);
    const skipped = run.events.filter(
      (e) => e.status === 'skipped' && awsProperties.includes(e.property),
    );
    expect([...new Set(skipped.map((e) => e.property))].sort()).toEqual(
      Object.keys(MOTO_CANNOT_ANSWER).sort(),
    );
    for (const skip of skipped)
      expect(skip.detail).toMatch(MOTO_CANNOT_ANSWER[skip.property] as RegExp);
    const passed = byStatus(run.events, 'pass');
    expect(passed).toEqual(awsProperties.filter((p) => !(p in MOTO_CANNOT_ANSWER)).sort());
    // Every check read the account: the whole run stays within the budget of docs/benchmarks.md.
    expect(run.aws.calls).toBeLessThanOrEqual(40);
    expect(run.aws.byOperation['STS.GetCallerIdentity']).toBe(1);
  }, 180_000);

  it('gives every AWS property moto can answer a broken variant', () => {
    const awsProperties = LIVE_CHECKS.filter((c) => c.side === 'aws').map((c) => c.property);
    const withoutVariant = awsProperties.filter(
      (p) => !(p in SEED_VARIANTS) && !(p in MOTO_CANNOT_ANSWER),
    );
    expect(withoutVariant).toEqual([]);
  });

  it.each(Object.keys(SEED_VARIANTS))(
    'the variant breaking %s fails exactly that property and names it',
    async (id) => {
      const variant = SEED_VARIANTS[id];
      if (variant === undefined) throw new Error(id);
      const needed = new Set(
        (
          await Promise.all(
            [variant.workspace, ...(variant.alsoSeed ?? [])].map((w) => workspacesNeededFor(w)),
          )
        ).flat(),
      );
      await seeded({ workspaces: SEEDED_WORKSPACES.filter((w) => needed.has(w)), breaks: id });
      const run = await awsRun();
      expect(byStatus(run.events, 'fail')).toEqual(
        [id, ...(variant.alsoBreaks?.properties ?? [])].sort(),
      );
      const failure = run.events.find((e) => e.property === id && e.status === 'fail');
      expect(failure?.expected).toBeDefined();
      expect(failure?.subject).not.toBe('');
    },
    180_000,
  );

  it("judges the VPC's load balancers by their AZs (pass over 3, fail over 1)", async () => {
    const result = await seeded({ workspaces: ['network'] });
    const network = result.workspaces.find((w) => w.name === 'network');
    const publicSubnets = network?.outputs.public_subnet_ids?.value as string[];
    const elbv2 = new ElasticLoadBalancingV2Client({
      endpoint: moto.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
    });
    try {
      await elbv2.send(
        new CreateLoadBalancerCommand({ Name: 'ingress', Type: 'network', Subnets: publicSubnets }),
      );
      let run = await awsRun();
      expect(run.events.filter((e) => e.property === 'elb.multi-az').map((e) => e.status)).toEqual([
        'pass',
      ]);
      await elbv2.send(
        new CreateLoadBalancerCommand({
          Name: 'one-zone',
          Type: 'network',
          Subnets: publicSubnets.slice(0, 1),
        }),
      );
      run = await awsRun();
      const events = run.events.filter((e) => e.property === 'elb.multi-az');
      expect(events.map((e) => e.status).sort()).toEqual(['fail', 'pass']);
      expect(events.find((e) => e.status === 'fail')?.subject).toMatch(
        /loadbalancer\/.*\/one-zone\//,
      );
    } finally {
      elbv2.destroy();
    }
  }, 120_000);

  it('seeds one node instance per Kubernetes node, tagged as EKS tags its nodes', async () => {
    const result = await seeded({ workspaces: ['network', 'eks/prod1/infra'] });
    expect(result.nodeInstances.map((i) => i.node)).toEqual(NODES.map((n) => n.name));
    for (const instance of result.nodeInstances) {
      expect(instance.providerId).toBe(`aws:///${instance.zone}/${instance.instanceId}`);
      expect(instance.zone).toBe(NODES.find((n) => n.name === instance.node)?.zone);
    }
    const eks = result.workspaces.find((w) => w.name === 'eks/prod1/infra');
    const notHeld = eks?.resources.filter((r) => r.status === 'not-held').map((r) => r.type);
    expect(notHeld).toContain('aws_eks_addon');
    expect(result.notes.join(' ')).toMatch(/launch template/);
  }, 120_000);
});
