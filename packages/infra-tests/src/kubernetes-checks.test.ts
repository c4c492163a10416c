import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  PolicyV1Api,
  type V1Deployment,
  type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { type EvidenceEvent, pollUntil, repoPath } from '@stackproof/core';
import { type SandboxState, sandboxDown, sandboxUp } from '@stackproof/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CHECKS } from './checks/registry.ts';
import { openLiveTarget } from './live-target.ts';
import { runLiveChecks } from './run-live-checks.ts';

// The live checks against the sandbox: its real control plane, KWOK nodes over three zones,
// metrics-server, the reference charts run by the data plane, and moto seeded with the reference
// account. The reference stack passes; small workloads beside it, each broken in one way, fail
// exactly the property they break.

let state: SandboxState;
let dir: string;
let kc: KubeConfig;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-live-k8s-'));
  // mkdtemp makes it 0700; as root PostgreSQL runs as `postgres` and must enter it.
  await chmod(dir, 0o755);
  ({ state } = await sandboxUp({ dir }));
  kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
}, 600_000);

afterAll(async () => {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 120_000);

function awsOf(s: SandboxState): NonNullable<SandboxState['aws']> {
  if (s.aws === undefined) throw new Error('the sandbox has no AWS side');
  return s.aws;
}

function credentialsOf(s: SandboxState) {
  return { accessKeyId: awsOf(s).accessKeyId, secretAccessKey: awsOf(s).secretAccessKey };
}

async function expectationsFor(namespace: string): Promise<string> {
  const file = join(dir, `expectations-${namespace}.json`);
  await writeFile(
    file,
    JSON.stringify({ region: 'me-central-1', azCount: 3, namespaces: [namespace] }),
  );
  return file;
}

async function check(namespace: string, sides: readonly ('aws' | 'kubernetes')[] = ['kubernetes']) {
  await using target = await openLiveTarget({
    outputsDir: state.outputsDir,
    expectationsFile:
      namespace === 'stackproof'
        ? repoPath('expectations', 'sandbox.json')
        : await expectationsFor(namespace),
    kubeconfig: state.kubeconfig,
    sides,
    aws: { endpoint: awsOf(state).endpoint, credentials: credentialsOf(state) },
    env: {},
  });
  return runLiveChecks(target);
}

function failed(events: readonly EvidenceEvent[]): string[] {
  return [...new Set(events.filter((e) => e.status === 'fail').map((e) => e.property))].sort();
}

// --- a small hardened workload, and its broken variants ------------------------------------------

interface Breaks {
  readonly pinnedToOneZone?: boolean;
  readonly pdbMaxUnavailable?: number;
  readonly hpaOnMissingMetric?: boolean;
  readonly withoutDefaultDeny?: boolean;
  readonly runAsRoot?: boolean;
}

const LABELS = { 'app.kubernetes.io/name': 'probe-app' };

function deployment(breaks: Breaks): V1Deployment {
  const hardened = breaks.runAsRoot
    ? {
        runAsNonRoot: false,
        runAsUser: 0,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      }
    : {
        runAsNonRoot: true,
        runAsUser: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      };
  const probe = { httpGet: { path: '/healthz', port: 8080 } };
  return {
    metadata: { name: 'probe-app', labels: LABELS },
    spec: {
      replicas: 3,
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          ...(breaks.pinnedToOneZone
            ? { nodeSelector: { 'topology.kubernetes.io/zone': 'me-central-1a' } }
            : {
                topologySpreadConstraints: [
                  {
                    maxSkew: 1,
                    topologyKey: 'topology.kubernetes.io/zone',
                    whenUnsatisfiable: 'DoNotSchedule',
                    labelSelector: { matchLabels: LABELS },
                  },
                ],
              }),
          containers: [
            {
              name: 'app',
              image: 'registry.example/probe-app:1.0.0',
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              readinessProbe: probe,
              livenessProbe: probe,
              securityContext: hardened,
            },
          ],
        },
      },
    },
  };
}

function hpa(breaks: Breaks): V2HorizontalPodAutoscaler {
  return {
    metadata: { name: 'probe-app' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'probe-app' },
      minReplicas: 3,
      maxReplicas: 6,
      metrics: breaks.hpaOnMissingMetric
        ? // No custom metrics API serves this: the HPA cannot get it.
          [
            {
              type: 'Pods',
              pods: {
                metric: { name: 'http_requests_per_second' },
                target: { type: 'AverageValue', averageValue: '10' },
              },
            },
          ]
        : [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
            },
          ],
    },
  };
}

async function deploy(namespace: string, breaks: Breaks): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await kc
    .makeApiClient(AppsV1Api)
    .createNamespacedDeployment({ namespace, body: deployment(breaks) });
  await kc.makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({
    namespace,
    body: {
      metadata: { name: 'probe-app' },
      spec: { maxUnavailable: breaks.pdbMaxUnavailable ?? 1, selector: { matchLabels: LABELS } },
    },
  });
  await kc
    .makeApiClient(AutoscalingV2Api)
    .createNamespacedHorizontalPodAutoscaler({ namespace, body: hpa(breaks) });
  if (!breaks.withoutDefaultDeny) {
    await kc.makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({
      namespace,
      body: {
        metadata: { name: 'default-deny' },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      },
    });
  }
}

/** Waits until the workload settled: pods Ready, the PDB computed, the HPA decided either way. */
async function settled(namespace: string, breaks: Breaks): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  await pollUntil(
    async () => {
      const d = await apps.readNamespacedDeployment({ namespace, name: 'probe-app' });
      const pdb = await policy.readNamespacedPodDisruptionBudget({ namespace, name: 'probe-app' });
      const h = await autoscaling.readNamespacedHorizontalPodAutoscaler({
        namespace,
        name: 'probe-app',
      });
      const scaling = h.status?.conditions?.find((c) => c.type === 'ScalingActive');
      const ready = d.status?.readyReplicas === 3;
      const pdbObserved =
        pdb.status?.observedGeneration === pdb.metadata?.generation &&
        pdb.status?.currentHealthy === 3;
      // The HPA on a metric nobody serves never gets one; every other one must show live metrics.
      const hpaDecided = breaks.hpaOnMissingMetric
        ? scaling?.status === 'False'
        : scaling?.status === 'True' && (h.status?.currentMetrics ?? []).length > 0;
      return ready && pdbObserved && hpaDecided ? true : undefined;
    },
    { what: `probe-app in ${namespace} to settle`, timeoutMs: 150_000, intervalMs: 1_000 },
  );
}

describe('Kubernetes checks on the sandbox', () => {
  it('pass on the reference charts, and the whole live check passes on the sandbox', async () => {
    const run = await check('stackproof', ['aws', 'kubernetes']);
    expect(
      run.events
        .filter((e) => e.status === 'fail')
        .map((e) => `${e.property} ${e.subject}: ${e.detail}`),
    ).toEqual([]);
    const kubernetes = LIVE_CHECKS.filter((c) => c.side === 'kubernetes').map((c) => c.property);
    const passed = new Set(run.events.filter((e) => e.status === 'pass').map((e) => e.property));
    // platform-addons reads eks/prod1/k8s's outputs: the sandbox does not apply that workspace.
    expect(kubernetes.filter((p) => !passed.has(p))).toEqual(['k8s.platform-addons']);
    const skip = run.events.find((e) => e.property === 'k8s.platform-addons');
    expect(skip?.detail).toMatch(/no eks-prod1-k8s\.json/);
    // The nodes' half of the node group properties: Ready nodes in every zone.
    expect(run.events.find((e) => e.check === 'ready-nodes-per-zone')?.status).toBe('pass');
  }, 180_000);

  it('puts a seeded EC2 instance of the node group behind every node (providerID), as on EKS', async () => {
    const nodes = (await kc.makeApiClient(CoreV1Api).listNode()).items;
    const ec2 = new EC2Client({
      endpoint: awsOf(state).endpoint,
      region: awsOf(state).region,
      credentials: credentialsOf(state),
    });
    try {
      for (const node of nodes) {
        const match = /^aws:\/\/\/([a-z0-9-]+)\/(i-[0-9a-f]+)$/.exec(node.spec?.providerID ?? '');
        expect(match, node.spec?.providerID).not.toBeNull();
        const instance = (
          await ec2.send(new DescribeInstancesCommand({ InstanceIds: [match?.[2] as string] }))
        ).Reservations?.[0]?.Instances?.[0];
        expect(instance?.Placement?.AvailabilityZone).toBe(
          node.metadata?.labels?.['topology.kubernetes.io/zone'],
        );
        expect(instance?.Placement?.AvailabilityZone).toBe(match?.[1]);
        const tags = Object.fromEntries((instance?.Tags ?? []).map((t) => [t.Key, t.Value]));
        expect(tags['eks:nodegroup-name']).toBe(
          node.metadata?.labels?.['eks.amazonaws.com/nodegroup'],
        );
      }
    } finally {
      ec2.destroy();
    }
    expect(awsOf(state).account).toBe('seeded');
  }, 60_000);

  const variants: readonly { namespace: string; breaks: Breaks; fails: string[] }[] = [
    { namespace: 'probe-ok', breaks: {}, fails: [] },
    {
      namespace: 'probe-one-zone',
      breaks: { pinnedToOneZone: true },
      fails: ['k8s.topology-spread-zone'],
    },
    {
      namespace: 'probe-no-disruption',
      breaks: { pdbMaxUnavailable: 0 },
      fails: ['k8s.pdb-allows-disruption'],
    },
    {
      namespace: 'probe-no-metrics',
      breaks: { hpaOnMissingMetric: true },
      fails: ['k8s.hpa-replicas'],
    },
    {
      namespace: 'probe-open',
      breaks: { withoutDefaultDeny: true },
      fails: ['k8s.default-deny-netpol'],
    },
    { namespace: 'probe-root', breaks: { runAsRoot: true }, fails: ['k8s.security-context'] },
  ];

  it('lets each broken workload fail exactly its property (and the hardened one none)', async () => {
    await Promise.all(variants.map((v) => deploy(v.namespace, v.breaks)));
    await Promise.all(variants.map((v) => settled(v.namespace, v.breaks)));
    for (const variant of variants) {
      const run = await check(variant.namespace);
      expect(failed(run.events), variant.namespace).toEqual(variant.fails);
      for (const property of variant.fails) {
        const failure = run.events.find((e) => e.property === property && e.status === 'fail');
        expect(failure?.subject).toContain(variant.namespace);
      }
    }
  }, 300_000);
});
