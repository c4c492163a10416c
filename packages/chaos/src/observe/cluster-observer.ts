import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  makeInformer,
  type V1Deployment,
  type V1EndpointSlice,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';

/** The cluster as the steady state sees it at one instant (from the informers' caches). */
export interface ClusterSample {
  /** Unix milliseconds. */
  readonly t: number;
  /** Per Service (`stackproof-backend`): its ready endpoints, per zone, and where they run. */
  readonly endpoints: Readonly<
    Record<
      string,
      {
        readonly ready: number;
        readonly byZone: Readonly<Record<string, number>>;
        readonly nodes: readonly string[];
        readonly pods: readonly string[];
      }
    >
  >;
  /** Per zone: nodes whose Ready condition is True, and all nodes. */
  readonly nodes: Readonly<Record<string, { readonly ready: number; readonly total: number }>>;
  /** Per Deployment: ready and desired replicas. */
  readonly deployments: Readonly<
    Record<string, { readonly ready: number; readonly desired: number }>
  >;
  /** Per zone: the watched namespaces' pods that are Running and Ready there (rescheduling). */
  readonly podsByZone: Readonly<Record<string, number>>;
}

const ZONE_LABEL = 'topology.kubernetes.io/zone';
const SERVICE_LABEL = 'kubernetes.io/service-name';

const isNodeReady = (n: V1Node): boolean =>
  n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

const isPodReady = (p: V1Pod): boolean =>
  p.metadata?.deletionTimestamp === undefined &&
  (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

/**
 * Follows the EndpointSlices, Deployments and pods of the workloads' namespace and every Node
 * with client-node informers (one list, then a watch), and records a sample on every change and
 * once a second, so "the zone's pods left the EndpointSlices" is seen when the watch delivers it,
 * not at the next poll. A watch that fails is restarted; the cache serves meanwhile.
 */
export class ClusterObserver {
  readonly #informers: Informer<KubernetesObject>[] = [];
  readonly #samples: ClusterSample[] = [];
  readonly #errors: string[] = [];
  #slices: () => readonly V1EndpointSlice[] = () => [];
  #nodes: () => readonly V1Node[] = () => [];
  #deployments: () => readonly V1Deployment[] = () => [];
  #pods: () => readonly V1Pod[] = () => [];
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  private constructor() {}

  /** Starts the informers and resolves once each has its first list. */
  static async start(kc: KubeConfig, namespace: string): Promise<ClusterObserver> {
    const observer = new ClusterObserver();
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    observer.#slices = await observer.#inform(
      kc,
      `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
      () => discovery.listNamespacedEndpointSlice({ namespace }),
    );
    observer.#nodes = await observer.#inform(kc, '/api/v1/nodes', () => core.listNode());
    observer.#deployments = await observer.#inform(
      kc,
      `/apis/apps/v1/namespaces/${namespace}/deployments`,
      () => apps.listNamespacedDeployment({ namespace }),
    );
    observer.#pods = await observer.#inform(kc, `/api/v1/namespaces/${namespace}/pods`, () =>
      core.listNamespacedPod({ namespace }),
    );
    observer.#record();
    observer.#timer = setInterval(() => observer.#record(), 1_000);
    return observer;
  }

  async #inform<T extends KubernetesObject>(
    kc: KubeConfig,
    path: string,
    list: () => Promise<{ items: T[] }>,
  ): Promise<() => readonly T[]> {
    const informer = makeInformer<T>(kc, path, async () => {
      const result = await list();
      return { ...result, metadata: (result as { metadata?: object }).metadata ?? {} } as never;
    });
    for (const verb of ['add', 'update', 'delete'] as const)
      informer.on(verb, () => this.#record());
    informer.on('error', (error: unknown) => {
      this.#errors.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      // client-node stops an informer on an error other than a timeout: start it again.
      setTimeout(() => {
        if (!this.#stopped) informer.start().catch(() => undefined);
      }, 1_000);
    });
    await informer.start();
    this.#informers.push(informer as unknown as Informer<KubernetesObject>);
    return () => informer.list();
  }

  #record(): void {
    if (this.#stopped) return;
    const nodes = this.#nodes();
    const zoneOf = new Map(
      nodes.map((n) => [n.metadata?.name ?? '', n.metadata?.labels?.[ZONE_LABEL] ?? '']),
    );
    const endpoints: Record<
      string,
      { ready: number; byZone: Record<string, number>; nodes: string[]; pods: string[] }
    > = {};
    for (const slice of this.#slices()) {
      const service = slice.metadata?.labels?.[SERVICE_LABEL];
      if (service === undefined) continue;
      const entry = endpoints[service] ?? { ready: 0, byZone: {}, nodes: [], pods: [] };
      endpoints[service] = entry;
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready !== true) continue;
        const zone = ep.zone ?? zoneOf.get(ep.nodeName ?? '') ?? '';
        entry.ready += ep.addresses.length;
        entry.byZone[zone] = (entry.byZone[zone] ?? 0) + ep.addresses.length;
        if (ep.nodeName !== undefined) entry.nodes.push(ep.nodeName);
        if (ep.targetRef?.name !== undefined) entry.pods.push(ep.targetRef.name);
      }
    }
    const byZone: Record<string, { ready: number; total: number }> = {};
    for (const node of nodes) {
      const zone = node.metadata?.labels?.[ZONE_LABEL] ?? '';
      const entry = byZone[zone] ?? { ready: 0, total: 0 };
      byZone[zone] = entry;
      entry.total += 1;
      if (isNodeReady(node)) entry.ready += 1;
    }
    const deployments: Record<string, { ready: number; desired: number }> = {};
    for (const d of this.#deployments()) {
      deployments[d.metadata?.name ?? ''] = {
        ready: d.status?.readyReplicas ?? 0,
        desired: d.spec?.replicas ?? 0,
      };
    }
    const podsByZone: Record<string, number> = {};
    for (const pod of this.#pods()) {
      if (!isPodReady(pod)) continue;
      const zone = zoneOf.get(pod.spec?.nodeName ?? '') ?? '';
      podsByZone[zone] = (podsByZone[zone] ?? 0) + 1;
    }
    this.#samples.push({ t: Date.now(), endpoints, nodes: byZone, deployments, podsByZone });
  }

  /** Every sample so far, in time order. */
  samples(): readonly ClusterSample[] {
    return this.#samples;
  }

  /** The latest sample. */
  latest(): ClusterSample | undefined {
    return this.#samples.at(-1);
  }

  /** Watch errors seen (each was followed by a restart). */
  errors(): readonly string[] {
    return this.#errors;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await Promise.all(this.#informers.map((i) => i.stop()));
  }
}
