import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { isLoopbackPortFree } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestOnce } from '../data-plane/loopback-requests.test-helpers.ts';
import { isNodeReady } from '../kube/kwok-nodes.ts';
import { SandboxClient } from '../sandbox-client.ts';
import { SandboxLifecycleError, SandboxTargetError } from './errors.ts';
import { sandboxDown, sandboxStatus, sandboxUp } from './lifecycle.ts';
import { processesMarkedWith, processesReferencing } from './residue.ts';
import { SANDBOX_TIMINGS } from './sandbox.ts';
import { type SandboxState, sandboxEnvExports } from './state.ts';

// The whole sandbox, started once through the daemon exactly as `stackproof sandbox up` does:
// real control plane, KWOK nodes in three zones, PostgreSQL, real backend/frontend instances
// behind the loopback router, the reference chart installed with Helm.

const ZONES = ['me-central-1a', 'me-central-1b', 'me-central-1c'];
const BACKEND = 'app.kubernetes.io/component=backend';
/** Zone loss → pods Running again elsewhere. Expected ≈ grace + toleration + scheduling. */
const RESCHEDULE_BOUND_MS = 90_000;

let dir: string;
let state: SandboxState;
let client: SandboxClient;
let core: CoreV1Api;
let discovery: DiscoveryV1Api;
let autoscaling: AutoscalingV2Api;
let customObjects: CustomObjectsApi;

function zoneOf(pod: V1Pod, nodeZones: Map<string, string>): string | undefined {
  return nodeZones.get(pod.spec?.nodeName ?? '');
}

async function nodeZones(): Promise<Map<string, string>> {
  const nodes = (await core.listNode()).items;
  return new Map(
    nodes.map((n) => [
      n.metadata?.name ?? '',
      n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? '',
    ]),
  );
}

/**
 * The last lines the instances of the reference services and the migrations Job logged, for the
 * message of a failed request check: a 500 says little, the instance's log says why.
 */
async function instanceLogs(): Promise<string> {
  const logDir = join(dir, 'logs', 'pods');
  const files = existsSync(logDir) ? await readdir(logDir) : [];
  const tails = await Promise.all(
    files.map(async (f) => {
      const lines = (await readFile(join(logDir, f), 'utf8')).trim().split('\n').slice(-5);
      return `${f}:\n  ${lines.join('\n  ')}`;
    }),
  );
  return tails.join('\n');
}

function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

async function readyBackendEndpoints(): Promise<string[]> {
  const slices = await discovery.listNamespacedEndpointSlice({
    namespace: state.namespace,
    labelSelector: 'kubernetes.io/service-name=stackproof-backend',
  });
  return slices.items.flatMap((s) =>
    (s.endpoints ?? [])
      .filter((e) => e.conditions?.ready === true)
      .map((e) => e.targetRef?.name ?? ''),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-sandbox-test-'));
  // mkdtemp makes it 0700; as root PostgreSQL runs as `postgres` and must enter it.
  await chmod(dir, 0o755);
  ({ state } = await sandboxUp({ dir }));
  client = await SandboxClient.connect(dir);
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  discovery = kc.makeApiClient(DiscoveryV1Api);
  autoscaling = kc.makeApiClient(AutoscalingV2Api);
  customObjects = kc.makeApiClient(CustomObjectsApi);
}, 600_000);

afterAll(async () => {
  // Normally already down (the last test); this only guards a failed run.
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('sandbox up', () => {
  it('has Ready nodes in the three zones with EKS labels', async () => {
    const nodes = (await core.listNode()).items;
    expect(nodes.length).toBeGreaterThanOrEqual(6);
    expect(nodes.every(isNodeReady)).toBe(true);
    const zones = new Set(nodes.map((n) => n.metadata?.labels?.['topology.kubernetes.io/zone']));
    expect([...zones].sort()).toEqual(ZONES);
    for (const n of nodes) {
      expect(n.metadata?.labels?.['eks.amazonaws.com/nodegroup']).toBe('prod1-default');
      expect(n.metadata?.labels?.['node.kubernetes.io/instance-type']).toBe('m6i.large');
    }
  });

  it('spreads the backend pods over the three zones, each backed by a ready instance', async () => {
    const zones = await nodeZones();
    const pods = (
      await core.listNamespacedPod({ namespace: state.namespace, labelSelector: BACKEND })
    ).items;
    expect(pods.length).toBe(3);
    expect(new Set(pods.map((p) => zoneOf(p, zones))).size).toBe(3);
    expect(pods.every(isPodReady)).toBe(true);
    const status = await sandboxStatus({ dir });
    const dataPlane = status.components.find((c) => c.component === 'data plane');
    expect(dataPlane?.detail).toMatch(/^6\/6 instances ready/);
  });

  it('serves a request through the backend Service that reaches PostgreSQL', async () => {
    const name = `sandbox-item-${Date.now()}`;
    const created = await requestOnce(`${state.services.backend}/api/items`, {
      method: 'POST',
      body: JSON.stringify({ name, quantity: 3 }),
    });
    expect(created.status, `${created.body}\n${await instanceLogs()}`).toBe(201);
    const id = (JSON.parse(created.body) as { id: string }).id;
    // A fresh connection may land on another pod: the row is in the shared database.
    for (let i = 0; i < 3; i++) {
      const read = await requestOnce(`${state.services.backend}/api/items/${id}`);
      expect(read.status).toBe(200);
      expect(JSON.parse(read.body)).toMatchObject({ name, quantity: 3 });
    }
    // Through the frontend too: its BACKEND_URL names the backend Service, routed on loopback.
    const viaFrontend = await requestOnce(`${state.services.frontend}/api/items/${id}`);
    expect(viaFrontend.status).toBe(200);
  });

  it('ran the migrations Job for real: its instance migrated and logged it (KWOK did not complete it first)', async () => {
    const logDir = join(dir, 'logs', 'pods');
    const log = (await readdir(logDir)).find((f) => f.includes('stackproof-migrations'));
    expect(log, 'no log of the migrations pod').toBeDefined();
    const text = await readFile(join(logDir, log as string), 'utf8');
    expect(text).toMatch(/"msg":"done","direction":"up"/);
  });

  it('answers 404 for a row that is not in the database (the request is not a canned reply)', async () => {
    const missing = await requestOnce(`${state.services.backend}/api/items/987654321`);
    expect(missing.status, `${missing.body}\n${await instanceLogs()}`).toBe(404);
  });

  it('publishes its outputs directory where the live suite reads it (empty without a recorded apply)', () => {
    expect(state.outputsDir).toBe(join(dir, 'outputs'));
    expect(existsSync(state.outputsDir)).toBe(true);
    expect(sandboxEnvExports(state)).toContain(
      `export STACKPROOF_OUTPUTS_DIR='${state.outputsDir}'`,
    );
  });

  it('puts the database behind one endpoint, primary in the seeded RDS instance’s zone; a failover moves it and the backend reconnects by itself', async () => {
    const before = await client.database();
    expect(before).toMatchObject({
      endpoint: { host: '127.0.0.1', port: state.database.port },
      primary: { zone: 'me-central-1a', running: true },
      standby: { zone: 'me-central-1b', state: 'streaming' },
      multiAz: true,
    });
    expect(sandboxEnvExports(state)).toContain(
      `export STACKPROOF_DATABASE_URL='postgresql://stackproof:stackproof-test-password@127.0.0.1:${state.database.port}/stackproof'`,
    );
    const created = await requestOnce(`${state.services.backend}/api/items`, {
      method: 'POST',
      body: JSON.stringify({ name: 'survives-failover', quantity: 1 }),
    });
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.body) as { id: string }).id;

    const failover = await client.failoverDatabase();
    expect(failover).toMatchObject({
      from: { zone: 'me-central-1a' },
      to: { zone: 'me-central-1b' },
    });
    // The pool's sessions broke; its next query reconnects to the same address, the new primary.
    let read = await requestOnce(`${state.services.backend}/api/items/${id}`);
    for (let i = 0; i < 20 && read.status !== 200; i++) {
      await delay(500);
      read = await requestOnce(`${state.services.backend}/api/items/${id}`);
    }
    expect(read.status, `${read.body}\n${await instanceLogs()}`).toBe(200);
    expect((await client.rejoinStandby()).standby.zone).toBe('me-central-1a');
    const after = await client.database();
    expect(after).toMatchObject({
      primary: { zone: 'me-central-1b' },
      multiAz: true,
      failovers: 1,
    });
    // Negative twin: the standby in sync is what makes the status healthy.
    const status = await sandboxStatus({ dir });
    expect(status.components.find((c) => c.component === 'postgresql (standby)')?.healthy).toBe(
      true,
    );
    // Back to the seeded layout for the tests after this one.
    await client.failoverDatabase();
    await client.rejoinStandby();
    expect((await client.database()).primary.zone).toBe('me-central-1a');
  });

  it('is idempotent: a second up returns the running sandbox', async () => {
    const again = await sandboxUp({ dir });
    expect(again.started).toBe(false);
    expect(again.state.pid).toBe(state.pid);
  });
});

describe('zone failure', () => {
  it('a lost zone: nodes NotReady, its pods fail requests until the endpoints drop them, pods move, restore brings the nodes back', async () => {
    const zone = 'me-central-1a';
    const zones = await nodeZones();
    const before = (
      await core.listNamespacedPod({ namespace: state.namespace, labelSelector: BACKEND })
    ).items;
    const victims = before.filter((p) => zoneOf(p, zones) === zone).map((p) => p.metadata?.name);
    expect(victims.length).toBe(1);

    const t0 = Date.now();
    const loss = await client.failZone(zone);
    expect(loss.nodes).toHaveLength(2);
    expect(loss.stoppedInstances).toContain(`${state.namespace}/${victims[0]}`);
    expect((await client.zones()).find((z) => z.zone === zone)?.poweredOff).toEqual(loss.nodes);

    // Bounded probe loop: a fresh connection every 100 ms until the endpoints drop the victims.
    let failuresWhileListed = 0;
    let endpointsDroppedMs: number | undefined;
    for (let i = 0; i < 600 && endpointsDroppedMs === undefined; i++) {
      const outcome = await requestOnce(`${state.services.backend}/api/items?limit=1`, {
        timeoutMs: 2_000,
      });
      if (outcome.status !== 200) failuresWhileListed++;
      const ready = await readyBackendEndpoints();
      if (!victims.some((v) => ready.includes(v ?? ''))) endpointsDroppedMs = Date.now() - t0;
      await delay(100);
    }
    expect(endpointsDroppedMs).toBeDefined();
    // The dead pod stayed in rotation for about the node monitor grace period, and the
    // connections routed to it failed: the zone loss was real, not masked.
    expect(failuresWhileListed).toBeGreaterThan(0);
    expect(endpointsDroppedMs as number).toBeGreaterThan(
      (SANDBOX_TIMINGS.nodeMonitorGracePeriodSeconds - 4) * 1000,
    );

    const zoneNodes = [...zones].filter(([, z]) => z === zone).map(([n]) => n);
    const nodes = (await core.listNode()).items.filter((n) =>
      zoneNodes.includes(n.metadata?.name ?? ''),
    );
    expect(nodes.some(isNodeReady)).toBe(false);

    // Once the endpoints dropped the zone, every request succeeds again.
    await delay(1_000);
    for (let i = 0; i < 12; i++) {
      const after = await requestOnce(`${state.services.backend}/api/items?limit=1`);
      expect(after.status, `${after.body}\n${await instanceLogs()}`).toBe(200);
    }

    // Replacement pods come up in the surviving zones, with ready instances.
    let rescheduledMs: number | undefined;
    while (Date.now() - t0 < RESCHEDULE_BOUND_MS) {
      const pods = (
        await core.listNamespacedPod({ namespace: state.namespace, labelSelector: BACKEND })
      ).items.filter(
        (p) => p.metadata?.deletionTimestamp === undefined && zoneOf(p, zones) !== zone,
      );
      if (pods.length >= 3 && pods.every(isPodReady)) {
        rescheduledMs = Date.now() - t0;
        break;
      }
      await delay(500);
    }
    expect(
      rescheduledMs,
      `backend pods not rescheduled within ${RESCHEDULE_BOUND_MS} ms`,
    ).toBeDefined();

    expect((await client.restoreZone(zone)).restored).toEqual(loss.nodes);
    let restored = false;
    for (let i = 0; i < 60 && !restored; i++) {
      const back = (await core.listNode()).items.filter((n) =>
        zoneNodes.includes(n.metadata?.name ?? ''),
      );
      restored = back.every(isNodeReady);
      if (!restored) await delay(500);
    }
    expect(restored).toBe(true);
    console.log(
      `zone loss: endpoints dropped after ${endpointsDroppedMs} ms (${failuresWhileListed} failed requests), pods rescheduled after ${rescheduledMs} ms`,
    );
  }, 240_000);

  it('refuses a zone or node it does not have as bad input naming the valid ones', async () => {
    const zone = client.failZone('eu-west-1a');
    await expect(zone).rejects.toBeInstanceOf(SandboxTargetError);
    await expect(zone).rejects.toMatchObject({ kind: 'bad-input', code: 'SANDBOX_UNKNOWN_ZONE' });
    await expect(zone).rejects.toThrow(
      "the sandbox has no zone 'eu-west-1a'; its zones: me-central-1a, me-central-1b, me-central-1c",
    );
    const node = client.restoreNode('general-eu-west-1a-0');
    await expect(node).rejects.toMatchObject({ code: 'SANDBOX_UNKNOWN_NODE' });
    await expect(node).rejects.toThrow(/its nodes: general-me-central-1a-0, /);
  });

  it('lists nodes and zones with their power; restoring a node that has power does nothing', async () => {
    const nodes = await client.nodes();
    expect(nodes).toHaveLength(6);
    expect(nodes.every((n) => !n.poweredOff)).toBe(true);
    expect((await client.zones()).map((z) => [z.zone, z.nodes.length])).toEqual(
      ZONES.map((z) => [z, 2]),
    );
    expect(await client.restoreNode('general-me-central-1b-0')).toEqual({
      node: 'general-me-central-1b-0',
      zone: 'me-central-1b',
      restored: false,
    });
  });
});

describe('closed loop: load → measured CPU → metrics API → HPA → new instances', () => {
  const hpa = () =>
    autoscaling.readNamespacedHorizontalPodAutoscaler({
      namespace: state.namespace,
      name: 'stackproof-backend',
    });
  /** Average CPU of the backend pods as the metrics API reports it, in millicores. */
  const backendMilliCpu = async (): Promise<number | undefined> => {
    const list = (await customObjects.listNamespacedCustomObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      namespace: state.namespace,
      plural: 'pods',
      labelSelector: BACKEND,
    })) as { items: { containers: { usage: { cpu: string } }[] }[] };
    if (list.items.length === 0) return undefined;
    const milli = (q: string): number =>
      q.endsWith('n')
        ? Number(q.slice(0, -1)) / 1e6
        : q.endsWith('m')
          ? Number(q.slice(0, -1))
          : Number(q) * 1000;
    const total = list.items.reduce(
      (sum, pod) => sum + pod.containers.reduce((s, c) => s + milli(c.usage.cpu), 0),
      0,
    );
    return total / list.items.length;
  };

  it('idle: the HPA sees low usage and keeps the floor (the metric is live, not a constant)', async () => {
    let idle: number | undefined;
    for (let i = 0; i < 120 && idle === undefined; i++) {
      const h = await hpa();
      if (h.status?.currentMetrics?.[0]?.resource?.current.averageUtilization !== undefined) {
        idle = h.status.currentMetrics[0].resource.current.averageUtilization;
      } else await delay(500);
    }
    expect(idle).toBeDefined();
    expect(idle as number).toBeLessThan(50);
    expect((await hpa()).status?.desiredReplicas).toBe(3);
  }, 90_000);

  it('a bounded burst raises desired replicas, new pods get ready instances, and usage falls after it', async () => {
    const deadline = Date.now() + 120_000;
    let stop = false;
    let sent = 0;
    let maxDesired = 0;
    // Four workers, fresh connections, loopback only; bounded by count and by the deadline.
    const worker = async (): Promise<void> => {
      while (!stop && Date.now() < deadline && sent < 20_000) {
        sent++;
        await requestOnce(`${state.services.backend}/api/work?iterations=200000`, {
          timeoutMs: 10_000,
        });
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    while (Date.now() < deadline) {
      maxDesired = Math.max(maxDesired, (await hpa()).status?.desiredReplicas ?? 0);
      if (maxDesired > 3) break;
      await delay(1_000);
    }
    stop = true;
    await Promise.all(workers);
    expect(maxDesired, `HPA did not scale out after ${sent} requests`).toBeGreaterThan(3);

    // The new pods are Ready only when their real instances answer /readyz (data plane).
    let ready = 0;
    for (let i = 0; i < 120 && ready <= 3; i++) {
      const pods = (
        await core.listNamespacedPod({ namespace: state.namespace, labelSelector: BACKEND })
      ).items;
      ready = pods.filter(isPodReady).length;
      if (ready <= 3) await delay(500);
    }
    expect(ready).toBeGreaterThan(3);
    const status = await sandboxStatus({ dir });
    const instances = Number(
      /^(\d+)\/(\d+) instances ready/.exec(
        status.components.find((c) => c.component === 'data plane')?.detail ?? '',
      )?.[2],
    );
    expect(instances).toBeGreaterThan(6);

    // After the burst the measured usage falls back.
    let after: number | undefined;
    for (let i = 0; i < 90; i++) {
      after = await backendMilliCpu();
      if (after !== undefined && after < 50) break;
      await delay(1_000);
    }
    expect(after).toBeDefined();
    expect(after as number).toBeLessThan(50);
    console.log(
      `closed loop: ${sent} requests, desired replicas up to ${maxDesired}, ${ready} ready backend pods, average usage after ${after?.toFixed(1)}m`,
    );
  }, 300_000);
});

describe('sandbox down', () => {
  it('stops everything: no process, instance or port is left', async () => {
    // The residue checks see a running sandbox (they can fail)...
    expect((await processesReferencing(`${dir}/`)).length).toBeGreaterThan(0);
    expect((await processesMarkedWith(dir)).length).toBeGreaterThan(0);
    const busy = await Promise.all(state.ports.map((p) => isLoopbackPortFree(p)));
    expect(busy.some((free) => !free)).toBe(true);

    const result = await sandboxDown({ dir });
    expect(result.stopped).toBe(true);
    expect(result.killedLeftovers).toEqual([]);
    // ...and after down they find nothing.
    expect(await processesReferencing(`${dir}/`)).toEqual([]);
    expect(await processesMarkedWith(dir)).toEqual([]);
    for (const port of state.ports) expect(await isLoopbackPortFree(port)).toBe(true);
    expect((await sandboxStatus({ dir })).running).toBe(false);
    expect(existsSync(state.outputsDir)).toBe(false);
    // The client of a stopped sandbox says so, instead of hanging or failing obscurely.
    const stale = client.nodes();
    await expect(stale).rejects.toBeInstanceOf(SandboxLifecycleError);
    await expect(stale).rejects.toMatchObject({ code: 'SANDBOX_NOT_RUNNING' });
    await expect(SandboxClient.connect(dir)).rejects.toThrow(/no sandbox is running in/);
  }, 120_000);
});
