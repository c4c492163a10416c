import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { pollUntil } from '@stackproof/core';

const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface Rebalanced {
  /** `namespace/name` → Ready pods per zone before the restart. */
  readonly restarted: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** `namespace/name` → Ready pods per zone after it (when still skewed: the report says so). */
  readonly after: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

const isReady = (conditions: readonly { type: string; status: string }[] | undefined): boolean =>
  conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function podsPerZone(
  kc: KubeConfig,
  namespaces: readonly string[],
): Promise<Map<string, { zones: Record<string, number>; ready: number }>> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const nodes = (await core.listNode()).items;
  const zoneOf = new Map(nodes.map((n) => [n.metadata?.name, n.metadata?.labels?.[ZONE_LABEL]]));
  const zones = [
    ...new Set(
      nodes
        .filter((n) => isReady(n.status?.conditions))
        .map((n) => n.metadata?.labels?.[ZONE_LABEL])
        .filter((z): z is string => z !== undefined),
    ),
  ].sort();
  const result = new Map<string, { zones: Record<string, number>; ready: number }>();
  for (const namespace of namespaces) {
    for (const d of (await apps.listNamespacedDeployment({ namespace })).items) {
      const labels = d.spec?.selector?.matchLabels ?? {};
      const selector = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items;
      const counts: Record<string, number> = Object.fromEntries(zones.map((z) => [z, 0]));
      let ready = 0;
      for (const pod of pods) {
        if (pod.metadata?.deletionTimestamp !== undefined || !isReady(pod.status?.conditions))
          continue;
        const zone = zoneOf.get(pod.spec?.nodeName) ?? '(no zone)';
        counts[zone] = (counts[zone] ?? 0) + 1;
        ready++;
      }
      result.set(`${namespace}/${d.metadata?.name}`, { zones: counts, ready });
    }
  }
  return result;
}

function skewed({ zones, ready }: { zones: Record<string, number>; ready: number }): boolean {
  const values = Object.values(zones);
  if (values.length === 0) return false;
  const skew = Math.max(...values) - Math.min(...values);
  // Fewer Ready pods than zones leaves a zone empty by arithmetic, not by placement.
  return skew > 1 || (ready >= values.length && values.includes(0));
}

/**
 * After a zone comes back, Kubernetes does not move running pods: the replicas rescheduled into
 * the surviving zones stay there (a real cluster runs the descheduler's
 * RemovePodsViolatingTopologySpreadConstraint for this). The game day's recovery does what that
 * runbook step does, visibly: each Deployment whose Ready pods are skewed across zones gets a
 * rolling restart (`kubectl rollout restart`), and the run waits until it has rolled out.
 */
export async function rebalanceSkewedDeployments(
  kc: KubeConfig,
  namespaces: readonly string[],
  options: { readonly timeoutMs: number; readonly progress: (line: string) => void },
): Promise<Rebalanced> {
  const apps = kc.makeApiClient(AppsV1Api);
  const before = await podsPerZone(kc, namespaces);
  const restarted: Record<string, Record<string, number>> = {};
  for (const [key, state] of before) {
    if (!skewed(state)) continue;
    const [namespace = '', name = ''] = key.split('/');
    options.progress(
      `rebalance: ${key} is skewed (${Object.entries(state.zones)
        .map(([z, n]) => `${z} ${n}`)
        .join(', ')}): rolling restart`,
    );
    await apps.patchNamespacedDeployment(
      {
        name,
        namespace,
        body: {
          spec: {
            template: {
              metadata: {
                annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() },
              },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    restarted[key] = state.zones;
  }
  for (const key of Object.keys(restarted)) {
    const [namespace = '', name = ''] = key.split('/');
    await pollUntil(
      async () => {
        const d = await apps.readNamespacedDeployment({ name, namespace });
        const want = d.spec?.replicas ?? 0;
        const s = d.status;
        const done =
          (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
          s?.updatedReplicas === want &&
          s?.readyReplicas === want &&
          s?.replicas === want;
        return done ? true : undefined;
      },
      {
        what: `${key} rolled out after the rebalance`,
        timeoutMs: options.timeoutMs,
        intervalMs: 1_000,
      },
    );
  }
  if (Object.keys(restarted).length > 0) {
    // New pods have no metrics until metrics-server scrapes them: the HPAs are judged again by
    // the live checks right after, so wait until each one reads its metric again.
    const hpa = kc.makeApiClient(AutoscalingV2Api);
    await pollUntil(
      async () => {
        for (const namespace of namespaces) {
          for (const h of (await hpa.listNamespacedHorizontalPodAutoscaler({ namespace })).items) {
            const active = h.status?.conditions?.find((c) => c.type === 'ScalingActive');
            if (active?.status !== 'True') return undefined;
          }
        }
        return true;
      },
      {
        what: 'the autoscalers reading their metrics again',
        timeoutMs: options.timeoutMs,
        intervalMs: 2_000,
      },
    );
  }
  const afterAll = Object.keys(restarted).length === 0 ? before : await podsPerZone(kc, namespaces);
  const after: Record<string, Record<string, number>> = {};
  for (const key of Object.keys(restarted)) after[key] = afterAll.get(key)?.zones ?? {};
  return { restarted, after };
}
