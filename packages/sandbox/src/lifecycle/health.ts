import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { isPidAlive } from '@stackproof/toolchain';
import { probeGet } from '../kube/https-probe.ts';
import { isNodeReady } from '../kube/kwok-nodes.ts';
import type { Sandbox } from './sandbox.ts';

export interface ComponentHealth {
  readonly component: string;
  readonly healthy: boolean;
  readonly detail: string;
}

/** One line per component, from live checks (process alive, probes, API state), not from memory. */
export async function sandboxHealth(sandbox: Sandbox): Promise<ComponentHealth[]> {
  const out: ComponentHealth[] = [];
  const cp = sandbox.controlPlane;
  for (const c of cp.components) {
    out.push({
      component: c.name,
      healthy: isPidAlive(c.pid),
      detail: `pid ${c.pid}, ports ${c.ports.join(',')}`,
    });
  }
  try {
    const readyz = await probeGet(`${cp.server}/readyz`, {
      caFile: cp.pki.ca.cert,
      client: cp.pki.admin,
    });
    out.push({ component: 'apiserver /readyz', healthy: readyz.status === 200, detail: cp.server });
  } catch (error) {
    out.push({ component: 'apiserver /readyz', healthy: false, detail: String(error) });
  }
  out.push({
    component: 'kwok',
    healthy: isPidAlive(sandbox.kwok.pid),
    detail: `pid ${sandbox.kwok.pid}`,
  });

  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  try {
    const nodes = (await core.listNode()).items;
    const zones = new Map<string, [number, number]>();
    for (const n of nodes) {
      const zone = n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? '?';
      const [ready, total] = zones.get(zone) ?? [0, 0];
      zones.set(zone, [ready + (isNodeReady(n) ? 1 : 0), total + 1]);
    }
    const off = sandbox.nodes.filter((n) => n.poweredOff).map((n) => n.name);
    out.push({
      component: 'nodes',
      healthy: nodes.length > 0 && nodes.every(isNodeReady),
      detail:
        [...zones]
          .sort()
          .map(([z, [r, t]]) => `${z} ${r}/${t} Ready`)
          .join(', ') + (off.length > 0 ? `; powered off: ${off.join(', ')}` : ''),
    });
  } catch (error) {
    out.push({ component: 'nodes', healthy: false, detail: String(error) });
  }

  out.push({
    component: 'metrics-server',
    healthy: isPidAlive(sandbox.metrics.pid),
    detail: `pid ${sandbox.metrics.pid}, resolution ${sandbox.metrics.metricResolutionSeconds} s`,
  });
  try {
    const nodeMetrics = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      plural: 'nodes',
    })) as { items?: unknown[] };
    out.push({
      component: 'metrics API',
      healthy: (nodeMetrics.items?.length ?? 0) > 0,
      detail: `${nodeMetrics.items?.length ?? 0} nodes reported; cpu sampler errors ${sandbox.cpuSampler.errorCount()}`,
    });
  } catch (error) {
    out.push({ component: 'metrics API', healthy: false, detail: String(error) });
  }

  out.push({
    component: 'aws emulator (moto)',
    healthy: isPidAlive(sandbox.aws.process.pid),
    detail: `${sandbox.aws.endpoint} ${sandbox.aws.region}; ${
      sandbox.awsAccount.kind === 'replayed'
        ? `account replayed from a recorded apply: ${sandbox.awsAccount.workspaces.join(', ')}`
        : `account seeded from terraform/aws (not applied: no recording exists): ${sandbox.awsAccount.workspaces.join(', ')}; ${sandbox.awsAccount.notHeld} resources moto cannot hold (${sandbox.awsAccount.seedRecord})`
    }`,
  });

  try {
    const db = await sandbox.database.topology();
    out.push({
      component: 'postgresql (primary)',
      healthy: db.primary.running,
      detail: `${db.primary.name} in ${db.primary.zone}, behind the endpoint ${db.endpoint.host}:${db.endpoint.port}`,
    });
    out.push({
      component: 'postgresql (standby)',
      healthy: db.multiAz,
      detail: `${db.standby.name} in ${db.standby.zone}: ${db.standby.state}${db.standby.detail === undefined ? '' : ` (${db.standby.detail})`}; ${db.failovers} failover(s)`,
    });
  } catch (error) {
    out.push({ component: 'postgresql (primary)', healthy: false, detail: String(error) });
  }

  const instances = sandbox.dataPlane.instances();
  const errors = Object.values(sandbox.dataPlane.errors());
  out.push({
    component: 'data plane',
    healthy: errors.length === 0 && instances.length > 0,
    detail:
      `${instances.filter((i) => i.ready).length}/${instances.length} instances ready` +
      (errors.length > 0 ? `; ${errors.join('; ')}` : ''),
  });
  // The data plane and the router follow pods, nodes, Services and EndpointSlices by watches;
  // a failing watch is restarted and its cache serves meanwhile, but it is not healthy.
  const watchErrors = [
    ...sandbox.dataPlane.watchErrors(),
    ...(sandbox.router.lastError() === undefined ? [] : [sandbox.router.lastError() as string]),
  ];
  out.push({
    component: 'watches (data plane, router)',
    healthy: watchErrors.length === 0,
    detail:
      watchErrors.length === 0 ? 'pods, nodes, Services, EndpointSlices' : watchErrors.join('; '),
  });
  for (const route of sandbox.router.routes()) {
    out.push({
      component: `service ${route.namespace}/${route.name}`,
      healthy: route.readyEndpoints.length > 0,
      detail: `http://${route.loopbackAddress} → ${route.readyEndpoints.length} ready endpoints`,
    });
  }
  return out;
}
