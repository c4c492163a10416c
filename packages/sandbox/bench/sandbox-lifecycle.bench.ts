// Sandbox figures for docs/benchmarks.md: cold `up` with warm tool caches, the time from a zone
// failure to the endpoints dropping its pods (and to rescheduled pods being Ready), and `down`.
// Measured, not asserted. Traffic only to loopback; every loop is bounded.
//   node packages/sandbox/bench/sandbox-lifecycle.bench.ts [--runs 3]
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { SandboxClient, sandboxDown, sandboxUp } from '../src/index.ts';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 3;
const rows: { upS: number; dropS: number; rescheduledS: number; downS: number }[] = [];

for (let run = 0; run < runs; run++) {
  const dir = await mkdtemp(join(tmpdir(), 'stackproof-sandbox-bench-'));
  await chmod(dir, 0o755);
  try {
    let t = performance.now();
    const { state } = await sandboxUp({ dir });
    const upS = (performance.now() - t) / 1000;
    const kc = new KubeConfig();
    kc.loadFromFile(state.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const zoneOf = new Map(
      (await core.listNode()).items.map((n) => [
        n.metadata?.name ?? '',
        n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? '',
      ]),
    );
    const selector = 'app.kubernetes.io/component=backend';
    const pods = (
      await core.listNamespacedPod({ namespace: state.namespace, labelSelector: selector })
    ).items;
    const victims = pods
      .filter((p) => zoneOf.get(p.spec?.nodeName ?? '') === 'me-central-1a')
      .map((p) => p.metadata?.name ?? '');

    t = performance.now();
    const client = new SandboxClient(state);
    await client.failZone('me-central-1a');
    let dropS = Number.NaN;
    let rescheduledS = Number.NaN;
    for (let i = 0; i < 1200 && Number.isNaN(rescheduledS); i++) {
      if (Number.isNaN(dropS)) {
        const slices = await discovery.listNamespacedEndpointSlice({
          namespace: state.namespace,
          labelSelector: 'kubernetes.io/service-name=stackproof-backend',
        });
        const ready = slices.items.flatMap((s) =>
          (s.endpoints ?? []).filter((e) => e.conditions?.ready).map((e) => e.targetRef?.name),
        );
        if (!victims.some((v) => ready.includes(v))) dropS = (performance.now() - t) / 1000;
      }
      const now = (
        await core.listNamespacedPod({ namespace: state.namespace, labelSelector: selector })
      ).items.filter(
        (p) =>
          p.metadata?.deletionTimestamp === undefined &&
          zoneOf.get(p.spec?.nodeName ?? '') !== 'me-central-1a',
      );
      if (
        now.length >= 3 &&
        now.every((p) =>
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        )
      ) {
        rescheduledS = (performance.now() - t) / 1000;
      }
      await delay(100);
    }
    await client.restoreZone('me-central-1a');
    t = performance.now();
    await sandboxDown({ dir });
    const downS = (performance.now() - t) / 1000;
    rows.push({ upS, dropS, rescheduledS, downS });
    console.log(
      `run ${run + 1}: up ${upS.toFixed(1)} s, endpoints dropped ${dropS.toFixed(1)} s, rescheduled ${rescheduledS.toFixed(1)} s, down ${downS.toFixed(1)} s`,
    );
  } finally {
    await sandboxDown({ dir }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(
  `median of ${runs}: up ${median(rows.map((r) => r.upS)).toFixed(1)} s, zone failure → endpoints dropped ${median(rows.map((r) => r.dropS)).toFixed(1)} s, → pods rescheduled ${median(rows.map((r) => r.rescheduledS)).toFixed(1)} s, down ${median(rows.map((r) => r.downS)).toFixed(1)} s (nproc 2, ${new Date().toISOString()})`,
);
