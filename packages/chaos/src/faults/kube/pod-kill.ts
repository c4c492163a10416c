import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { pollUntil } from '@stackproof/core';
import { type Fault, FaultRollbackError, FaultTargetError, type ResidueItem } from '../fault.ts';

export const POD_KILL_FAULT = 'kubernetes.pod-kill';

/** Which pods a kill takes: `count` Ready pods matching a label selector, all in one zone. */
export interface PodKillTarget {
  readonly namespace: string;
  /** A label selector (`app.kubernetes.io/component=backend`). */
  readonly selector: string;
  /** How many pods (default 1). */
  readonly count?: number;
  /** The zone to take them from (default: the zone of the first matching pod by name). */
  readonly zone?: string;
  /** Bound for the owners to be back at their ready count on rollback (default 120 s). */
  readonly timeoutMs?: number;
}

/** The pods a kill takes (plan) or took (inject), and their Deployments: JSON, for the journal. */
export type PodKillRecord = {
  readonly namespace: string;
  readonly selector: string;
  readonly zone: string;
  readonly pods: readonly { readonly name: string; readonly node: string }[];
  /** The Deployments that own them, with their ready replicas before the kill. */
  readonly owners: readonly { readonly name: string; readonly readyBefore: number }[];
};

const ZONE_LABEL = 'topology.kubernetes.io/zone';

const isReady = (pod: V1Pod): boolean =>
  pod.metadata?.deletionTimestamp === undefined &&
  pod.status?.phase === 'Running' &&
  (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

async function deploymentOf(
  apps: AppsV1Api,
  namespace: string,
  pod: V1Pod,
): Promise<string | undefined> {
  const rs = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
  if (rs === undefined) return undefined;
  const replicaSet = await apps.readNamespacedReplicaSet({ name: rs.name, namespace });
  return replicaSet.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment')?.name;
}

async function planKill(kc: KubeConfig, target: PodKillTarget): Promise<PodKillRecord> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const { namespace, selector } = target;
  const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items
    .filter(isReady)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  if (pods.length === 0) {
    throw new FaultTargetError(POD_KILL_FAULT, `no Ready pod in ${namespace} matches ${selector}`);
  }
  const nodes = new Map(
    (await core.listNode()).items.map((n) => [
      n.metadata?.name ?? '',
      n.metadata?.labels?.[ZONE_LABEL] ?? '',
    ]),
  );
  const zoneOf = (pod: V1Pod): string => nodes.get(pod.spec?.nodeName ?? '') ?? '';
  const zone = target.zone ?? zoneOf(pods[0] as V1Pod);
  const inZone = pods.filter((p) => zoneOf(p) === zone);
  if (inZone.length === 0) {
    throw new FaultTargetError(
      POD_KILL_FAULT,
      `no Ready pod matching ${selector} in ${namespace} runs in ${zone}; zones with one: ${[...new Set(pods.map(zoneOf))].sort().join(', ')}`,
    );
  }
  const chosen = inZone.slice(0, target.count ?? 1);
  const owners = new Map<string, number>();
  for (const pod of chosen) {
    const name = await deploymentOf(apps, namespace, pod);
    if (name === undefined || owners.has(name)) continue;
    const deployment = await apps.readNamespacedDeployment({ name, namespace });
    owners.set(name, deployment.status?.readyReplicas ?? 0);
  }
  return {
    namespace,
    selector,
    zone,
    pods: chosen.map((p) => ({ name: p.metadata?.name ?? '', node: p.spec?.nodeName ?? '' })),
    owners: [...owners].map(([name, readyBefore]) => ({ name, readyBefore })),
  };
}

/** Owners whose ready replicas are below what they were before the kill (capped at desired). */
async function short(
  kc: KubeConfig,
  record: PodKillRecord,
): Promise<{ name: string; ready: number; wanted: number }[]> {
  const apps = kc.makeApiClient(AppsV1Api);
  const out: { name: string; ready: number; wanted: number }[] = [];
  for (const owner of record.owners) {
    const d = await apps.readNamespacedDeployment({
      name: owner.name,
      namespace: record.namespace,
    });
    const wanted = Math.min(owner.readyBefore, d.spec?.replicas ?? owner.readyBefore);
    const ready = d.status?.readyReplicas ?? 0;
    if (ready < wanted) out.push({ name: owner.name, ready, wanted });
  }
  return out;
}

/**
 * Kills pods as a crashed process or an OOM kill does: deleted with no grace period, so the
 * container gets no SIGTERM drain. There is nothing to put back (their ReplicaSets replace them);
 * the rollback waits until every owning Deployment is back at its ready count from before the
 * kill, and fails when it is not within the bound. The residue is an owner that is short of
 * ready replicas now.
 */
export function podKill(kc: KubeConfig, target: PodKillTarget): Fault<PodKillRecord> {
  const timeoutMs = target.timeoutMs ?? 120_000;
  return {
    kind: POD_KILL_FAULT,
    target: `${target.count ?? 1} pod(s) ${target.selector} in ${target.namespace}`,
    plan: () => planKill(kc, target),
    async inject() {
      const record = await planKill(kc, target);
      const core = kc.makeApiClient(CoreV1Api);
      for (const pod of record.pods) {
        await core.deleteNamespacedPod({
          name: pod.name,
          namespace: record.namespace,
          gracePeriodSeconds: 0,
        });
      }
      return record;
    },
    async rollback(record) {
      try {
        await pollUntil(async () => ((await short(kc, record)).length === 0 ? true : undefined), {
          what: `${record.owners.map((o) => o.name).join(', ')} back at their ready replicas`,
          timeoutMs,
          intervalMs: 1_000,
        });
      } catch (error) {
        const left = await short(kc, record).catch(() => []);
        throw new FaultRollbackError(
          POD_KILL_FAULT,
          left.length === 0
            ? (error as Error).message
            : left.map((o) => `${o.name} has ${o.ready}/${o.wanted} ready replicas`).join('; '),
        );
      }
    },
    async residue(): Promise<ResidueItem[]> {
      // What the kill left is judged on the Deployments the selector's pods belong to now.
      const apps = kc.makeApiClient(AppsV1Api);
      const deployments = (
        await apps.listNamespacedDeployment({ namespace: target.namespace })
      ).items.filter((d) => {
        const labels = d.spec?.template.metadata?.labels ?? {};
        return target.selector
          .split(',')
          .map((p) => p.split('='))
          .every(([k, v]) => k !== undefined && labels[k.trim()] === v?.trim());
      });
      return deployments
        .filter((d) => (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 0))
        .map((d) => ({
          resource: `Deployment ${target.namespace}/${d.metadata?.name}`,
          detail: `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas} ready after ${POD_KILL_FAULT}`,
        }));
    },
  };
}
