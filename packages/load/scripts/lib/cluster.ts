// The cluster on k6's clock: once per second the same k6 process reads, with the xk6-kubernetes
// extension, the HPA's current and desired replicas, its Deployment's ready replicas and its pods'
// CPU from the metrics API, and records them as k6 metrics. They land in the same output stream
// as the requests, stamped by the same clock: no second terminal, no lining up by hand.
import { fail, sleep } from 'k6';
import { Counter, Gauge } from 'k6/metrics';
import type { Scenario } from 'k6/options';
import { type KubeObject, Kubernetes } from 'k6/x/kubernetes';

/** What setup() learns about the HPA once; handed to every sample. */
export interface HpaRef {
  readonly namespace: string;
  readonly name: string;
  readonly deployment: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** The Deployment's `matchLabels`: which PodMetrics belong to it. */
  readonly selector: Readonly<Record<string, string>>;
}

const desired = new Gauge('stackproof_hpa_desired_replicas');
const current = new Gauge('stackproof_hpa_current_replicas');
const minReplicas = new Gauge('stackproof_hpa_min_replicas');
const maxReplicas = new Gauge('stackproof_hpa_max_replicas');
const utilization = new Gauge('stackproof_hpa_cpu_utilization');
const ready = new Gauge('stackproof_deployment_ready_replicas');
const podsCpu = new Gauge('stackproof_pods_cpu_millicores');
const podsWithMetrics = new Gauge('stackproof_pods_with_metrics');
const podCpu = new Gauge('stackproof_pod_cpu_millicores');
const sampleErrors = new Counter('stackproof_cluster_sample_errors');

let client: Kubernetes | undefined;
function kube(): Kubernetes {
  // Built lazily, in the sampling VU only: the load VUs never open an API connection. The client
  // keeps the context of the iteration that built it (it is cancelled when that iteration ends),
  // which is why the sampler is one long iteration (`runSampler`) rather than one per second.
  client ??= new Kubernetes(
    __ENV.KUBECONFIG_PATH ? { config_path: __ENV.KUBECONFIG_PATH } : undefined,
  );
  return client;
}

type Obj = { [key: string]: unknown };
const at = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Obj)[k] : undefined),
    o,
  );
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** `HPA=namespace/name` from __ENV, or undefined when the run samples no cluster. */
export function hpaFromEnv(): { namespace: string; name: string } | undefined {
  const raw = __ENV.HPA;
  if (raw === undefined || raw === '') return undefined;
  const [namespace, name, ...rest] = raw.split('/');
  if (!namespace || !name || rest.length > 0) throw new Error(`HPA=${raw} must be NAMESPACE/NAME`);
  return { namespace, name };
}

/** setup(): reads the HPA and its Deployment once; fails the run when either cannot be read. */
export function resolveHpa(ref: { namespace: string; name: string }): HpaRef {
  let hpa: KubeObject;
  let deployment: KubeObject;
  try {
    hpa = kube().get('HorizontalPodAutoscaler.autoscaling', ref.name, ref.namespace);
  } catch (error) {
    fail(`cannot read HorizontalPodAutoscaler ${ref.namespace}/${ref.name}: ${error}`);
  }
  const target = at(hpa, 'spec', 'scaleTargetRef');
  const kind = at(target, 'kind');
  const deploymentName = at(target, 'name');
  if (kind !== 'Deployment' || typeof deploymentName !== 'string') {
    fail(`HPA ${ref.namespace}/${ref.name} scales a ${String(kind)}, not a Deployment`);
  }
  try {
    deployment = kube().get('Deployment.apps', deploymentName, ref.namespace);
  } catch (error) {
    fail(`cannot read Deployment ${ref.namespace}/${deploymentName}: ${error}`);
  }
  return {
    ...ref,
    deployment: deploymentName,
    minReplicas: num(at(hpa, 'spec', 'minReplicas')) ?? 1,
    maxReplicas: num(at(hpa, 'spec', 'maxReplicas')) ?? 0,
    selector: (at(deployment, 'spec', 'selector', 'matchLabels') ?? {}) as Record<string, string>,
  };
}

/** `250m`, `1`, `123456n` → millicores. */
export function milliCpu(quantity: string): number {
  if (quantity.endsWith('n')) return Number(quantity.slice(0, -1)) / 1e6;
  if (quantity.endsWith('u')) return Number(quantity.slice(0, -1)) / 1e3;
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1));
  return Number(quantity) * 1000;
}

/** One sample of the cluster; an API error is counted, never fatal to the load. */
export function sampleCluster(ref: HpaRef): void {
  const tags = { hpa: `${ref.namespace}/${ref.name}` };
  try {
    const hpa = kube().get('HorizontalPodAutoscaler.autoscaling', ref.name, ref.namespace);
    const d = num(at(hpa, 'status', 'desiredReplicas'));
    const c = num(at(hpa, 'status', 'currentReplicas'));
    if (d !== undefined) desired.add(d, tags);
    if (c !== undefined) current.add(c, tags);
    minReplicas.add(num(at(hpa, 'spec', 'minReplicas')) ?? ref.minReplicas, tags);
    maxReplicas.add(num(at(hpa, 'spec', 'maxReplicas')) ?? ref.maxReplicas, tags);
    const metrics = at(hpa, 'status', 'currentMetrics');
    if (Array.isArray(metrics)) {
      for (const m of metrics) {
        const u = num(at(m, 'resource', 'current', 'averageUtilization'));
        if (at(m, 'resource', 'name') === 'cpu' && u !== undefined) utilization.add(u, tags);
      }
    }
  } catch (error) {
    sampleErrors.add(1, { ...tags, what: 'hpa' });
    console.warn(`sampling HPA ${ref.namespace}/${ref.name} failed: ${error}`);
  }
  try {
    const deployment = kube().get('Deployment.apps', ref.deployment, ref.namespace);
    ready.add(num(at(deployment, 'status', 'readyReplicas')) ?? 0, tags);
  } catch (error) {
    sampleErrors.add(1, { ...tags, what: 'deployment' });
    console.warn(`sampling Deployment ${ref.namespace}/${ref.deployment} failed: ${error}`);
  }
  try {
    const selected = kube()
      .list('PodMetrics.metrics.k8s.io', ref.namespace)
      .filter((pm) => {
        const labels = (at(pm, 'metadata', 'labels') ?? {}) as Record<string, string>;
        return Object.entries(ref.selector).every(([k, v]) => labels[k] === v);
      });
    let total = 0;
    for (const pm of selected) {
      const containers = at(pm, 'containers');
      let pod = 0;
      if (Array.isArray(containers)) {
        for (const c of containers) pod += milliCpu(String(at(c, 'usage', 'cpu') ?? '0'));
      }
      total += pod;
      podCpu.add(pod, { ...tags, pod: String(at(pm, 'metadata', 'name')) });
    }
    podsCpu.add(total, tags);
    podsWithMetrics.add(selected.length, tags);
  } catch (error) {
    sampleErrors.add(1, { ...tags, what: 'metrics' });
    console.warn(`reading pod metrics in ${ref.namespace} failed: ${error}`);
  }
}

/**
 * Samples once per second, on the second, for `seconds`: one iteration of one VU that loops, so
 * one API client serves the whole run (and with execution segments exactly one instance samples).
 */
export function runSampler(ref: HpaRef, seconds: number): void {
  const start = Date.now();
  const end = start + seconds * 1000;
  for (let tick = 0; ; tick++) {
    sampleCluster(ref);
    const next = start + (tick + 1) * 1000;
    if (next >= end) break;
    const wait = next - Date.now();
    if (wait > 0) sleep(wait / 1000);
  }
}

/** The sampling scenario: one VU, one long iteration (`runSampler`) covering the load phases. */
export function samplerScenario(seconds: number, exec: string): Scenario {
  return {
    executor: 'per-vu-iterations',
    exec,
    vus: 1,
    iterations: 1,
    maxDuration: `${seconds + 30}s`,
    gracefulStop: '5s',
    tags: { phase: 'sampler' },
  };
}
