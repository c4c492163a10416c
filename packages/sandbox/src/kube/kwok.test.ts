import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApiException,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { DEFAULT_ZONES, isLoopbackPortFree, pollUntil } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesReferencing } from '../lifecycle/residue.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { type Kwok, startKwok } from './kwok.ts';
import {
  createKwokNodes,
  eksNodeGroup,
  isNodeReady,
  nodeResources,
  waitForNodesReady,
} from './kwok-nodes.ts';

// The whole control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) and
// KWOK as real processes; `make tools` builds them.

describe('KWOK against the sandbox control plane', () => {
  let cp: ControlPlane;
  let kwok: Kwok;
  let core: CoreV1Api;
  let leases: CoordinationV1Api;
  let scratch: string;
  const managed = eksNodeGroup({ nodegroup: 'general', instanceType: 'm6i.large' });
  const unmanaged = {
    name: 'unmanaged-me-central-1a-0',
    zone: 'me-central-1a',
    instanceType: 'm6i.large',
    nodegroup: 'unmanaged',
    kwokManaged: false,
  } as const;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'stackproof-kwok-test-'));
    cp = await startControlPlane({ workDir: join(scratch, 'cp'), withControllers: true });
    kwok = await startKwok(cp);
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    leases = kc.makeApiClient(CoordinationV1Api);
  }, 300_000);

  afterAll(async () => {
    await kwok?.stop();
    await cp?.stop();
    await rm(scratch, { recursive: true, force: true });
  }, 60_000);

  it('registers EKS-like fake nodes in three zones that become Ready', async () => {
    // The node KWOK must ignore is created first, so by the time the managed ones are Ready
    // KWOK has seen it too.
    await createKwokNodes(cp, [unmanaged]);
    await createKwokNodes(cp, managed);
    const nodes = await waitForNodesReady(
      cp,
      managed.map((n) => n.name),
      120_000,
    );

    expect(nodes.map((n) => n.metadata?.labels?.['topology.kubernetes.io/zone']).sort()).toEqual([
      ...DEFAULT_ZONES,
    ]);
    const node = nodes[0];
    expect(node?.metadata?.labels).toMatchObject({
      'node.kubernetes.io/instance-type': 'm6i.large',
      'eks.amazonaws.com/nodegroup': 'general',
      'topology.kubernetes.io/region': 'me-central-1',
    });
    expect(node?.spec?.providerID).toMatch(/^aws:\/\/\/me-central-1[abc]\/i-[0-9a-f]{17}$/);
    expect(node?.status?.allocatable).toEqual(nodeResources('m6i.large').allocatable);
    // KWOK keeps the node alive through its Lease, as a kubelet does.
    const lease = await leases.readNamespacedLease({
      namespace: 'kube-node-lease',
      name: managed[0]?.name ?? '',
    });
    // KWOK holds the lease under its own instance id and renews it.
    expect(lease.spec?.holderIdentity).toMatch(/\S/);
    expect(lease.spec?.leaseDurationSeconds).toBe(40);
    expect(lease.spec?.renewTime).toBeDefined();
  }, 180_000);

  it('leaves a node without the KWOK annotation alone: never Ready, no lease', async () => {
    const node = await core.readNode({ name: unmanaged.name });
    expect(isNodeReady(node)).toBe(false);
    expect(node.status?.conditions ?? []).toEqual([]);
    const error = await leases
      .readNamespacedLease({ namespace: 'kube-node-lease', name: unmanaged.name })
      .catch((e: unknown) => e);
    expect((error as ApiException<unknown>).code).toBe(404);
  });

  it('schedules a pod onto a fake node in the requested zone and runs it', async () => {
    // The ServiceAccount admission plugin needs the namespace's default ServiceAccount, which
    // the controller manager creates shortly after start.
    await pollUntil(
      () =>
        core
          .readNamespacedServiceAccount({ namespace: 'default', name: 'default' })
          .then(() => true),
      { what: 'the default ServiceAccount', timeoutMs: 60_000, intervalMs: 250 },
    );
    await core.createNamespacedPod({
      namespace: 'default',
      body: podInZone('web', 'me-central-1b'),
    });
    const pod = await pollUntil(
      async () => {
        const p = await core.readNamespacedPod({ namespace: 'default', name: 'web' });
        return p.status?.phase === 'Running' ? p : undefined;
      },
      { what: 'pod web to run', timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(pod.spec?.nodeName).toBe('general-me-central-1b-0');
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(pod.status?.podIP).toMatch(/^10\.0\./);
  }, 120_000);

  it('keeps a pod Pending when no Ready node matches it', async () => {
    await core.createNamespacedPod({
      namespace: 'default',
      body: podInZone('nowhere', 'me-central-1z'),
    });
    const condition = await pollUntil(
      async () => {
        const p = await core.readNamespacedPod({ namespace: 'default', name: 'nowhere' });
        return p.status?.conditions?.find((c) => c.type === 'PodScheduled');
      },
      { what: 'the scheduler to judge pod nowhere', timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(condition).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    const pod = await core.readNamespacedPod({ namespace: 'default', name: 'nowhere' });
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.spec?.nodeName).toBeUndefined();
  }, 120_000);

  it('stops KWOK and the control plane without residue', async () => {
    const pids = [kwok.pid, ...cp.components.map((c) => c.pid)];
    const ports = cp.components.flatMap((c) => c.ports);
    expect(cp.components.map((c) => c.name).sort()).toEqual([
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
    ]);
    await kwok.stop();
    await cp.stop();
    expect(pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(await processesReferencing(cp.workDir)).toEqual([]);
    expect(await Promise.all(ports.map(isLoopbackPortFree))).toEqual(ports.map(() => true));
  }, 60_000);
});

function podInZone(name: string, zone: string): V1Pod {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      nodeSelector: { 'topology.kubernetes.io/zone': zone },
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'app',
          // Never pulled: KWOK simulates the container.
          image: 'registry.invalid/stackproof/app:1.0.0',
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
      ],
    },
  };
}
