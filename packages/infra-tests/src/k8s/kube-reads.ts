import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  PolicyV1Api,
  type V1Deployment,
  type V1LabelSelector,
  type V1NetworkPolicy,
  type V1Node,
  type V1Pod,
  type V1PodDisruptionBudget,
  type V1ReplicaSet,
  type V1Secret,
  type V2HorizontalPodAutoscaler,
  VersionApi,
} from '@kubernetes/client-node';
import { StackproofError } from '@stackproof/core';
import { LiveTargetError } from '../aws/aws-errors.ts';

export class KubeConfigError extends StackproofError {
  constructor(message: string) {
    super('KUBECONFIG_INVALID', 'bad-input', message);
  }
}

export interface KubeTargetOptions {
  /** A kubeconfig file; default the client's own resolution (KUBECONFIG, ~/.kube/config). */
  readonly kubeconfig?: string;
  /** A context of it; default its current context. */
  readonly context?: string;
}

/** Loads the kubeconfig the way kubectl does and selects the context. */
export function loadKubeConfig(options: KubeTargetOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    throw new KubeConfigError(
      `cannot read the kubeconfig ${options.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config'} (${(error as Error).message.split('\n')[0]}); set KUBECONFIG`,
    );
  }
  if (options.context !== undefined) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(options.context)) {
      throw new KubeConfigError(
        `context '${options.context}' is not in the kubeconfig (contexts: ${names.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  if (kc.getCurrentCluster() === null) {
    throw new KubeConfigError(
      'the kubeconfig has no current cluster: set KUBECONFIG or pass --context',
    );
  }
  return kc;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function networkCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  for (const inner of [e.cause, ...(e.errors ?? [])]) {
    const found = networkCode(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A Kubernetes API error that means the cluster cannot be checked, as a LiveTargetError. */
export function kubeTargetErrorOf(error: unknown, server: string): unknown {
  const code = networkCode(error);
  if (code !== undefined) {
    return new LiveTargetError(
      'KUBE_UNREACHABLE',
      `cannot reach the Kubernetes API at ${server} (${code}); check KUBECONFIG and --context`,
      error,
    );
  }
  const status = (error as { code?: unknown }).code;
  if (status === 401 || status === 403) {
    return new LiveTargetError(
      'KUBE_CREDENTIALS',
      `the Kubernetes API at ${server} refused the kubeconfig's credentials (HTTP ${status}): refresh them`,
      error,
    );
  }
  return error;
}

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function zoneOfNode(node: V1Node): string | undefined {
  return node.metadata?.labels?.['topology.kubernetes.io/zone'];
}

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Whether a label selector selects these labels (matchLabels and matchExpressions). */
export function selects(
  selector: V1LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const value = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

interface ListPage<T> {
  readonly items: T[];
  readonly metadata?: { readonly _continue?: string };
}

/** One page's request options: 500 items, continuing where the last page stopped. */
type Paging = { readonly limit: number; readonly _continue?: string };

async function listAll<T>(list: (paging: Paging) => Promise<ListPage<T>>): Promise<T[]> {
  const out: T[] = [];
  let cont: string | undefined;
  do {
    const page = await list(cont === undefined ? { limit: 500 } : { limit: 500, _continue: cont });
    out.push(...page.items);
    cont = page.metadata?._continue || undefined;
  } while (cont !== undefined);
  return out;
}

/**
 * What the Kubernetes checks read, each list made once per run (paginated, 500 a page) and shared.
 * One read of the state as it is: the checks judge what runs now.
 */
export class KubeReads {
  readonly server: string;
  readonly context: string;
  readonly #core: CoreV1Api;
  readonly #apps: AppsV1Api;
  readonly #policy: PolicyV1Api;
  readonly #autoscaling: AutoscalingV2Api;
  readonly #networking: NetworkingV1Api;
  readonly #version: VersionApi;
  readonly #memo = new Map<string, Promise<unknown>>();
  /** Requests sent to the API server (for the run's figures). */
  requests = 0;

  constructor(kc: KubeConfig) {
    this.server = kc.getCurrentCluster()?.server ?? '?';
    this.context = kc.getCurrentContext();
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#apps = kc.makeApiClient(AppsV1Api);
    this.#policy = kc.makeApiClient(PolicyV1Api);
    this.#autoscaling = kc.makeApiClient(AutoscalingV2Api);
    this.#networking = kc.makeApiClient(NetworkingV1Api);
    this.#version = kc.makeApiClient(VersionApi);
  }

  #once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let found = this.#memo.get(key) as Promise<T> | undefined;
    if (found === undefined) {
      found = read().catch((error: unknown) => {
        throw kubeTargetErrorOf(error, this.server);
      });
      this.#memo.set(key, found);
    }
    return found;
  }

  #page<T>(read: (paging: Paging) => Promise<ListPage<T>>): Promise<T[]> {
    return listAll((paging) => {
      this.requests++;
      return read(paging);
    });
  }

  /** The API server's version: the run's first request, proving it answers and accepts us. */
  version(): Promise<string> {
    return this.#once('version', async () => {
      this.requests++;
      return (await this.#version.getCode()).gitVersion;
    });
  }

  nodes(): Promise<V1Node[]> {
    return this.#once('nodes', () => this.#page((p) => this.#core.listNode(p)));
  }

  namespaceExists(namespace: string): Promise<boolean> {
    return this.#once(`namespace:${namespace}`, async () => {
      this.requests++;
      try {
        await this.#core.readNamespace({ name: namespace });
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === 404) return false;
        throw error;
      }
    });
  }

  pods(namespace: string): Promise<V1Pod[]> {
    return this.#once(`pods:${namespace}`, () =>
      this.#page((p) => this.#core.listNamespacedPod({ namespace, ...p })),
    );
  }

  deployments(namespace: string): Promise<V1Deployment[]> {
    return this.#once(`deployments:${namespace}`, () =>
      this.#page((p) => this.#apps.listNamespacedDeployment({ namespace, ...p })),
    );
  }

  replicaSets(namespace: string): Promise<V1ReplicaSet[]> {
    return this.#once(`replicasets:${namespace}`, () =>
      this.#page((p) => this.#apps.listNamespacedReplicaSet({ namespace, ...p })),
    );
  }

  podDisruptionBudgets(namespace: string): Promise<V1PodDisruptionBudget[]> {
    return this.#once(`pdbs:${namespace}`, () =>
      this.#page((p) => this.#policy.listNamespacedPodDisruptionBudget({ namespace, ...p })),
    );
  }

  horizontalPodAutoscalers(namespace: string): Promise<V2HorizontalPodAutoscaler[]> {
    return this.#once(`hpas:${namespace}`, () =>
      this.#page((p) =>
        this.#autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace, ...p }),
      ),
    );
  }

  networkPolicies(namespace: string): Promise<V1NetworkPolicy[]> {
    return this.#once(`netpols:${namespace}`, () =>
      this.#page((p) => this.#networking.listNamespacedNetworkPolicy({ namespace, ...p })),
    );
  }

  /** Helm's release records (Secrets labelled owner=helm) in every namespace. */
  helmReleaseSecrets(): Promise<V1Secret[]> {
    return this.#once('helm-releases', () =>
      this.#page((p) =>
        this.#core.listSecretForAllNamespaces({ labelSelector: 'owner=helm', ...p }),
      ),
    );
  }

  deploymentsEverywhere(): Promise<V1Deployment[]> {
    return this.#once('deployments:*', () =>
      this.#page((p) => this.#apps.listDeploymentForAllNamespaces(p)),
    );
  }

  /**
   * The pods a Deployment runs now: owned by one of its ReplicaSets (so a leftover pod of another
   * workload with the same labels is not counted), not terminating.
   */
  async deploymentPods(deployment: V1Deployment): Promise<V1Pod[]> {
    const namespace = deployment.metadata?.namespace ?? 'default';
    const [pods, sets] = await Promise.all([this.pods(namespace), this.replicaSets(namespace)]);
    const uid = deployment.metadata?.uid;
    const owned = new Set(
      sets
        .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid))
        .map((rs) => rs.metadata?.uid),
    );
    return pods.filter(
      (p) =>
        p.metadata?.deletionTimestamp === undefined &&
        p.metadata?.ownerReferences?.some((o) => owned.has(o.uid)),
    );
  }
}
