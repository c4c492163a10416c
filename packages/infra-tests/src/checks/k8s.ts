import { gunzipSync } from 'node:zlib';
import type {
  V1Container,
  V1Deployment,
  V1NetworkPolicy,
  V1Pod,
  V1SecurityContext,
} from '@kubernetes/client-node';
import { isNodeReady, isPodReady, selects, zoneOfNode } from '../k8s/kube-reads.ts';
import { defineCheck, kubeOf, type LiveContext, listText, type Verdicts } from './check.ts';

// Kubernetes checks judge what runs, not only what is declared: Ready pods counted per zone from
// the nodes they run on, PDBs' disruptionsAllowed now, HPAs' live metrics, the running pods' specs.

interface Workload {
  readonly deployment: V1Deployment;
  readonly name: string;
  readonly pods: V1Pod[];
}

async function workloads(ctx: LiveContext, v: Verdicts): Promise<Workload[]> {
  const kube = kubeOf(ctx);
  const out: Workload[] = [];
  for (const namespace of ctx.expectations.namespaces) {
    if (!(await kube.namespaceExists(namespace))) {
      v.fail(
        `namespace ${namespace}`,
        'the namespace does not exist',
        `namespace ${namespace} with the stack's workloads`,
      );
      continue;
    }
    const deployments = await kube.deployments(namespace);
    if (deployments.length === 0) {
      v.fail(
        `namespace ${namespace}`,
        'no Deployment runs in it',
        `the stack's Deployments in ${namespace}`,
      );
    }
    for (const deployment of deployments) {
      out.push({
        deployment,
        name: `${namespace}/${deployment.metadata?.name}`,
        pods: await kube.deploymentPods(deployment),
      });
    }
  }
  return out;
}

/** Pods of the expected namespaces that are running (or starting): what the spec checks read. */
async function runningPods(ctx: LiveContext, v: Verdicts): Promise<V1Pod[]> {
  const all = (await workloads(ctx, v)).flatMap((w) => w.pods);
  return all.filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending');
}

function podName(pod: V1Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

function containersOf(pod: V1Pod): V1Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

export const topologySpreadZone = defineCheck(
  'k8s.topology-spread-zone',
  'kubernetes',
  async (ctx, v) => {
    const kube = kubeOf(ctx);
    const nodes = await kube.nodes();
    const zoneOf = new Map(nodes.map((n) => [n.metadata?.name, zoneOfNode(n)]));
    const zones = [
      ...new Set(
        nodes
          .filter(isNodeReady)
          .map(zoneOfNode)
          .filter((z) => z !== undefined),
      ),
    ].sort() as string[];
    for (const w of await workloads(ctx, v)) {
      const ready = w.pods.filter(isPodReady);
      const counts: Record<string, number> = Object.fromEntries(zones.map((z) => [z, 0]));
      for (const pod of ready) {
        const zone = zoneOf.get(pod.spec?.nodeName) ?? '(no zone)';
        counts[zone] = (counts[zone] ?? 0) + 1;
      }
      const values = Object.values(counts);
      const skew = values.length === 0 ? 0 : Math.max(...values) - Math.min(...values);
      const empty = Object.entries(counts)
        .filter(([, n]) => n === 0)
        .map(([z]) => z);
      // Fewer Ready pods than zones leaves a zone empty by arithmetic, not by placement.
      const emptyAllowed = Math.max(0, zones.length - ready.length);
      v.judge(
        zones.length >= ctx.expectations.azCount && empty.length <= emptyAllowed && skew <= 1,
        w.name,
        `Ready pods per zone: ${listText(Object.entries(counts).map(([z, n]) => `${z} ${n}`))} (skew ${skew})`,
        `Ready pods in every one of at least ${ctx.expectations.azCount} zones, skew at most 1`,
        { data: { readyPodsPerZone: counts, skew } },
      );
    }
  },
);

export const pdbAllowsDisruption = defineCheck(
  'k8s.pdb-allows-disruption',
  'kubernetes',
  async (ctx, v) => {
    const kube = kubeOf(ctx);
    for (const w of await workloads(ctx, v)) {
      const namespace = w.deployment.metadata?.namespace ?? 'default';
      const labels = w.deployment.spec?.template.metadata?.labels ?? {};
      const pdbs = (await kube.podDisruptionBudgets(namespace)).filter((p) =>
        selects(p.spec?.selector, labels),
      );
      if (pdbs.length === 0) {
        v.fail(
          w.name,
          'no PodDisruptionBudget selects its pods',
          'a PDB that allows at least one disruption now',
        );
        continue;
      }
      for (const pdb of pdbs) {
        const allowed = pdb.status?.disruptionsAllowed ?? 0;
        v.judge(
          allowed >= 1,
          w.name,
          `PDB ${pdb.metadata?.name}: ${allowed} disruptions allowed now (${pdb.status?.currentHealthy ?? '?'} healthy, ${pdb.status?.desiredHealthy ?? '?'} desired)`,
          'at least 1 disruption allowed now (a node can be drained)',
          { data: { pdb: pdb.metadata?.name ?? '?', disruptionsAllowed: allowed } },
        );
      }
    }
  },
);

export const hpaReplicas = defineCheck('k8s.hpa-replicas', 'kubernetes', async (ctx, v) => {
  const kube = kubeOf(ctx);
  let any = false;
  for (const namespace of ctx.expectations.namespaces) {
    for (const hpa of await kube.horizontalPodAutoscalers(namespace)) {
      any = true;
      const name = `${namespace}/${hpa.metadata?.name}`;
      const active = hpa.status?.conditions?.find((c) => c.type === 'ScalingActive');
      const metrics = (hpa.status?.currentMetrics ?? []).filter(
        (m) =>
          m.resource?.current !== undefined ||
          m.pods?.current !== undefined ||
          m.external?.current !== undefined ||
          m.object?.current !== undefined ||
          m.containerResource?.current !== undefined,
      );
      const min = hpa.spec?.minReplicas ?? 1;
      const problems = [
        ...(active?.status !== 'True'
          ? [
              `ScalingActive ${active?.status ?? 'missing'}${active?.reason !== undefined ? ` (${active.reason})` : ''}`,
            ]
          : []),
        ...(metrics.length === 0 ? ['no current metric'] : []),
        ...(min < 2 ? [`minReplicas ${min}`] : []),
      ];
      const shown = metrics.map((m) =>
        m.resource !== undefined
          ? `${m.resource.name} ${m.resource.current.averageUtilization ?? m.resource.current.averageValue ?? '?'}${m.resource.current.averageUtilization !== undefined ? '%' : ''}`
          : m.type,
      );
      v.judge(
        problems.length === 0,
        name,
        problems.length === 0
          ? `ScalingActive True, current ${listText(shown)}, replicas ${hpa.status?.currentReplicas ?? '?'} (min ${min}, max ${hpa.spec?.maxReplicas})`
          : problems.join('; '),
        'ScalingActive=True with live metrics and minReplicas at least 2',
      );
    }
  }
  if (!any) {
    v.fail(
      `namespaces ${listText(ctx.expectations.namespaces)}`,
      'no HorizontalPodAutoscaler',
      'an HPA for each scaled workload',
    );
  }
});

export const replicasMin = defineCheck('k8s.replicas-min', 'kubernetes', async (ctx, v) => {
  for (const w of await workloads(ctx, v)) {
    const ready = w.deployment.status?.readyReplicas ?? 0;
    v.judge(
      ready >= 2,
      w.name,
      `${ready} Ready of ${w.deployment.spec?.replicas ?? '?'} desired replicas`,
      'at least 2 Ready replicas',
    );
  }
});

/** A policy that selects pods and lets nothing in or out of them. */
function isDenyAll(policy: V1NetworkPolicy): boolean {
  const types = policy.spec?.policyTypes ?? ['Ingress'];
  return (
    types.includes('Ingress') &&
    types.includes('Egress') &&
    (policy.spec?.ingress ?? []).length === 0 &&
    (policy.spec?.egress ?? []).length === 0
  );
}

export const defaultDenyNetpol = defineCheck(
  'k8s.default-deny-netpol',
  'kubernetes',
  async (ctx, v) => {
    const kube = kubeOf(ctx);
    for (const namespace of ctx.expectations.namespaces) {
      if (!(await kube.namespaceExists(namespace))) {
        v.fail(
          `namespace ${namespace}`,
          'the namespace does not exist',
          'a default-deny NetworkPolicy in it',
        );
        continue;
      }
      const [pods, policies] = await Promise.all([
        kube.pods(namespace),
        kube.networkPolicies(namespace),
      ]);
      const live = pods.filter(
        (p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending',
      );
      const denyAll = policies.filter(isDenyAll);
      const uncovered = live.filter(
        (pod) => !denyAll.some((p) => selects(p.spec?.podSelector, pod.metadata?.labels ?? {})),
      );
      v.judge(
        denyAll.length > 0 && uncovered.length === 0,
        `namespace ${namespace}`,
        denyAll.length === 0
          ? `no default-deny policy among ${policies.length} NetworkPolicies`
          : uncovered.length === 0
            ? `${listText(denyAll.map((p) => p.metadata?.name ?? '?'))} denies all ingress and egress of its ${live.length} running pods`
            : `pods outside any deny-all policy: ${listText(uncovered.map(podName))}`,
        'a NetworkPolicy denying all ingress and egress that selects every running pod',
      );
    }
  },
);

export const probes = defineCheck('k8s.probes', 'kubernetes', async (ctx, v) => {
  for (const pod of await runningPods(ctx, v)) {
    const missing = (pod.spec?.containers ?? []).flatMap((c) => [
      ...(c.readinessProbe === undefined ? [`${c.name}: no readinessProbe`] : []),
      ...(c.livenessProbe === undefined ? [`${c.name}: no livenessProbe`] : []),
    ]);
    const ready = isPodReady(pod);
    v.judge(
      missing.length === 0 && ready,
      podName(pod),
      missing.length > 0
        ? missing.join('; ')
        : `readiness and liveness probes declared; pod ${ready ? 'Ready' : 'not Ready'}`,
      'readiness and liveness probes on every container, and the pod Ready',
    );
  }
});

export const resourceRequests = defineCheck(
  'k8s.resource-requests',
  'kubernetes',
  async (ctx, v) => {
    for (const pod of await runningPods(ctx, v)) {
      const missing = containersOf(pod).flatMap((c) =>
        ['cpu', 'memory']
          .filter((r) => c.resources?.requests?.[r] === undefined)
          .map((r) => `${c.name} ${r}`),
      );
      v.judge(
        missing.length === 0,
        podName(pod),
        missing.length === 0
          ? `requests: ${containersOf(pod)
              .map(
                (c) =>
                  `${c.name} cpu ${c.resources?.requests?.cpu} memory ${c.resources?.requests?.memory}`,
              )
              .join('; ')}`
          : `no request for ${listText(missing)}`,
        'CPU and memory requests on every container',
      );
    }
  },
);

export const resourceLimits = defineCheck('k8s.resource-limits', 'kubernetes', async (ctx, v) => {
  for (const pod of await runningPods(ctx, v)) {
    const missing = containersOf(pod)
      .filter((c) => c.resources?.limits?.memory === undefined)
      .map((c) => c.name);
    v.judge(
      missing.length === 0,
      podName(pod),
      missing.length === 0
        ? `memory limits: ${containersOf(pod)
            .map((c) => `${c.name} ${c.resources?.limits?.memory}`)
            .join('; ')}`
        : `no memory limit on ${listText(missing)}`,
      'a memory limit on every container',
    );
  }
});

/** The container's effective settings: its own securityContext over the pod's. */
function hardeningProblems(pod: V1Pod, c: V1Container): string[] {
  const podCtx = pod.spec?.securityContext ?? {};
  const own: V1SecurityContext = c.securityContext ?? {};
  const runAsNonRoot = own.runAsNonRoot ?? podCtx.runAsNonRoot;
  const runAsUser = own.runAsUser ?? podCtx.runAsUser;
  const problems: string[] = [];
  if (runAsUser === 0) problems.push('runs as user 0');
  else if (runAsNonRoot !== true && runAsUser === undefined) problems.push('runAsNonRoot not set');
  if (own.readOnlyRootFilesystem !== true) problems.push('root file system writable');
  if (own.allowPrivilegeEscalation !== false) problems.push('privilege escalation allowed');
  if (own.privileged === true) problems.push('privileged');
  if (!(own.capabilities?.drop ?? []).includes('ALL'))
    problems.push('capabilities not dropped (drop ALL)');
  return problems.map((p) => `${c.name}: ${p}`);
}

export const securityContext = defineCheck('k8s.security-context', 'kubernetes', async (ctx, v) => {
  for (const pod of await runningPods(ctx, v)) {
    const problems = containersOf(pod).flatMap((c) => hardeningProblems(pod, c));
    v.judge(
      problems.length === 0,
      podName(pod),
      problems.length === 0
        ? `${containersOf(pod).length} containers non-root, read-only root, no privilege escalation, ALL capabilities dropped`
        : problems.join('; '),
      'every container non-root, read-only root file system, no privilege escalation, drop ALL',
    );
  }
});

/** `repo:tag`, `repo@sha256:…`; a port in the registry host is not a tag. */
export function imageProblem(image: string): string | undefined {
  if (image.includes('@sha256:')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'no tag (means latest)';
  const tag = image.slice(colon + 1);
  if (tag === 'latest') return 'tag latest';
  return undefined;
}

export const imagePinned = defineCheck('k8s.image-pinned', 'kubernetes', async (ctx, v) => {
  for (const pod of await runningPods(ctx, v)) {
    const problems = containersOf(pod).flatMap((c) => {
      const problem = imageProblem(c.image ?? '');
      return problem === undefined ? [] : [`${c.name} ${c.image}: ${problem}`];
    });
    v.judge(
      problems.length === 0,
      podName(pod),
      problems.length === 0
        ? `images ${listText([...new Set(containersOf(pod).map((c) => c.image ?? '?'))])}`
        : problems.join('; '),
      'every image pinned by a tag other than latest, or by digest',
    );
  }
});

interface HelmRelease {
  readonly name: string;
  readonly namespace: string;
  readonly version: number;
  readonly chartVersion: string;
}

/** Helm stores a release as base64(gzip(JSON)) in the Secret's `release` key. */
export function decodeHelmRelease(data: string): {
  chart?: { metadata?: { version?: string } };
  name?: string;
  namespace?: string;
} {
  const outer = Buffer.from(data, 'base64').toString('utf8');
  return JSON.parse(gunzipSync(Buffer.from(outer, 'base64')).toString('utf8'));
}

export const platformAddons = defineCheck('k8s.platform-addons', 'kubernetes', async (ctx, v) => {
  const kube = kubeOf(ctx);
  const ws = ctx.live.workspaces.addons;
  if (!ctx.outputs.has(ws)) {
    v.skip(`add-ons of ${ws}`, ctx.outputs.missing(ws));
    return;
  }
  const pinned = ctx.outputs.stringMap(ws, 'helm_releases');
  const secrets = await kube.helmReleaseSecrets();
  const deployed: HelmRelease[] = secrets
    .filter((s) => s.metadata?.labels?.status === 'deployed' && s.data?.release !== undefined)
    .map((s) => {
      const release = decodeHelmRelease(s.data?.release ?? '');
      return {
        name: s.metadata?.labels?.name ?? release.name ?? '?',
        namespace: s.metadata?.namespace ?? '?',
        version: Number(s.metadata?.labels?.version ?? 0),
        chartVersion: release.chart?.metadata?.version ?? '?',
      };
    });
  const deployments = await kube.deploymentsEverywhere();
  for (const [name, version] of Object.entries(pinned)) {
    const release = deployed.find((r) => r.name === name);
    if (release === undefined) {
      v.fail(
        `helm release ${name}`,
        'no deployed Helm release of that name',
        `${name} deployed at chart version ${version}`,
      );
      continue;
    }
    const own = deployments.filter(
      (d) =>
        d.metadata?.namespace === release.namespace &&
        d.metadata?.labels?.['app.kubernetes.io/instance'] === name,
    );
    const unavailable = own.filter(
      (d) => !d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True'),
    );
    v.judge(
      release.chartVersion === version && unavailable.length === 0,
      `helm release ${release.namespace}/${name}`,
      `chart ${release.chartVersion} (revision ${release.version}); ${own.length - unavailable.length}/${own.length} Deployments Available`,
      `chart version ${version} and every Deployment of the release Available`,
    );
  }
});

export const K8S_CHECKS = [
  topologySpreadZone,
  pdbAllowsDisruption,
  hpaReplicas,
  replicasMin,
  defaultDenyNetpol,
  probes,
  resourceRequests,
  resourceLimits,
  securityContext,
  imagePinned,
  platformAddons,
];
