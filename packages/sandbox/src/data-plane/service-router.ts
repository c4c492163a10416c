import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  type V1EndpointSlice,
  type V1Service,
} from '@kubernetes/client-node';
import { LOOPBACK_HOST, listenOnLoopback } from '@stackproof/core';
import { type WatchedList, watchList } from '../kube/informers.ts';
import { reaction } from '../kube/reaction.ts';
import type { ServiceRoute } from './pod-env.ts';

/** Where a pod's real instance listens, or undefined when it has none (not started, powered off). */
export type InstanceLookup = (namespace: string, pod: string) => number | undefined;

export interface RoutedService extends ServiceRoute {
  readonly portName: string;
  /** Connections accepted and connections that found no live instance behind the picked endpoint. */
  readonly connections: number;
  readonly failedConnections: number;
  /** Pods the Service's EndpointSlices list as ready for this port, as last read. */
  readonly readyEndpoints: readonly string[];
}

interface Route {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
  readonly portName: string;
  readonly server: Server;
  readonly loopbackPort: number;
  readyPods: string[];
  next: number;
  connections: number;
  failedConnections: number;
}

export interface ServiceRouterOptions {
  readonly kubeconfigPath: string;
  readonly instancePort: InstanceLookup;
  /** Namespaces whose Services are routed; default every namespace except kube-* ones. */
  readonly namespaces?: readonly string[];
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * Stands in for kube-proxy: one loopback TCP port per Service port. Each connection goes to the
 * next endpoint (round robin) that the Service's EndpointSlices list as ready, and is spliced to
 * the real instance of that pod. Like kube-proxy it balances connections, not requests, and it
 * knows nothing of instance health: an endpoint whose instance is gone (its node lost power)
 * stays in rotation until the control plane marks the pod not ready, and the connections routed
 * to it are reset, as a client of a dead pod IP sees them fail.
 */
export class ServiceRouter {
  readonly #kubeConfig: KubeConfig;
  readonly #core: CoreV1Api;
  readonly #discovery: DiscoveryV1Api;
  readonly #options: ServiceRouterOptions;
  readonly #routes = new Map<string, Route>();
  readonly #sockets = new Set<Socket>();
  #services: WatchedList<V1Service> | undefined;
  #slices: WatchedList<V1EndpointSlice> | undefined;
  #lastError: string | undefined;
  // Routing goes on with the last known state when a sync fails.
  readonly #syncing = reaction(
    () => this.#sync(this.#services?.list() ?? []),
    (error) => {
      this.#lastError =
        error === undefined ? undefined : error instanceof Error ? error.message : String(error);
    },
  );

  constructor(options: ServiceRouterOptions) {
    this.#kubeConfig = new KubeConfig();
    this.#kubeConfig.loadFromFile(options.kubeconfigPath);
    this.#core = this.#kubeConfig.makeApiClient(CoreV1Api);
    this.#discovery = this.#kubeConfig.makeApiClient(DiscoveryV1Api);
    this.#options = options;
  }

  /**
   * Watches Services and EndpointSlices (list once, then watch), so an endpoint that stops being
   * ready leaves the rotation as soon as its EndpointSlice says so. Routes exist when this returns.
   */
  async start(): Promise<void> {
    const onChange = (): void => this.#kick();
    this.#services = await watchList<V1Service>(
      this.#kubeConfig,
      '/api/v1/services',
      () => this.#core.listServiceForAllNamespaces(),
      { onChange },
    );
    this.#slices = await watchList<V1EndpointSlice>(
      this.#kubeConfig,
      '/apis/discovery.k8s.io/v1/endpointslices',
      () =>
        this.#discovery.listEndpointSliceForAllNamespaces({ labelSelector: SERVICE_NAME_LABEL }),
      { labelSelector: SERVICE_NAME_LABEL, onChange },
    );
    await this.#sync(this.#services.list());
  }

  /** Syncs now, or right after the sync running: syncs never overlap and none is lost. */
  #kick(): void {
    if (this.#services !== undefined) this.#syncing.kick();
  }

  #routed(namespace: string): boolean {
    const only = this.#options.namespaces;
    return only === undefined ? !namespace.startsWith('kube-') : only.includes(namespace);
  }

  /**
   * Reads the Services from the apiserver now and opens their routes: for a caller that must not
   * miss a Service created a moment ago (an instance's env names it), whose watch event may not
   * have arrived yet.
   */
  async refresh(): Promise<void> {
    await this.#sync((await this.#core.listServiceForAllNamespaces()).items);
  }

  /** Opens a port for every new selector Service port; sets every route's ready endpoints. */
  async #sync(services: readonly V1Service[]): Promise<void> {
    for (const svc of services) {
      const namespace = svc.metadata?.namespace ?? 'default';
      const name = svc.metadata?.name ?? '';
      // Selector-less Services (the apiserver's own `kubernetes`) have no pods to route to.
      if (!this.#routed(namespace) || svc.spec?.selector === undefined) continue;
      for (const port of svc.spec.ports ?? []) {
        if ((port.protocol ?? 'TCP') !== 'TCP') continue;
        const key = `${namespace}/${name}:${port.port}`;
        if (this.#routes.has(key)) continue;
        await this.#open(namespace, name, port.port, port.name ?? '');
      }
    }
    const ready = new Map<string, string[]>();
    for (const slice of this.#slices?.list() ?? []) {
      const namespace = slice.metadata?.namespace ?? 'default';
      const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL] ?? '';
      for (const endpoint of slice.endpoints ?? []) {
        // Ready, or serving while terminating is not enough: kube-proxy routes new connections
        // only to ready endpoints when any exist.
        if (endpoint.conditions?.ready !== true) continue;
        const pod = endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined;
        if (pod === undefined) continue;
        for (const port of slice.ports ?? []) {
          const key = `${namespace}/${service}/${port.name ?? ''}`;
          const list = ready.get(key) ?? [];
          if (!list.includes(pod)) list.push(pod);
          ready.set(key, list);
        }
      }
    }
    for (const route of this.#routes.values()) {
      route.readyPods = (
        ready.get(`${route.namespace}/${route.name}/${route.portName}`) ?? []
      ).sort();
    }
  }

  async #open(namespace: string, name: string, port: number, portName: string): Promise<void> {
    const server = createServer((client) => this.#accept(route, client));
    const loopbackPort = await listenOnLoopback(server);
    const route: Route = {
      namespace,
      name,
      port,
      portName,
      server,
      loopbackPort,
      readyPods: [],
      next: 0,
      connections: 0,
      failedConnections: 0,
    };
    this.#routes.set(`${namespace}/${name}:${port}`, route);
  }

  #accept(route: Route, client: Socket): void {
    route.connections += 1;
    this.#sockets.add(client);
    client.once('close', () => this.#sockets.delete(client));
    client.on('error', () => undefined);
    const pods = route.readyPods;
    if (pods.length === 0) {
      // No ready endpoint: kube-proxy rejects the connection.
      route.failedConnections += 1;
      client.resetAndDestroy();
      return;
    }
    const pod = pods[route.next % pods.length] as string;
    route.next = (route.next + 1) % Number.MAX_SAFE_INTEGER;
    const instancePort = this.#options.instancePort(route.namespace, pod);
    if (instancePort === undefined) {
      route.failedConnections += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: LOOPBACK_HOST, port: instancePort });
    this.#sockets.add(upstream);
    upstream.once('close', () => this.#sockets.delete(upstream));
    upstream.once('error', () => {
      route.failedConnections += 1;
      client.resetAndDestroy();
    });
    client.once('error', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  routes(): RoutedService[] {
    return [...this.#routes.values()].map((r) => ({
      namespace: r.namespace,
      name: r.name,
      port: r.port,
      portName: r.portName,
      loopbackAddress: `${LOOPBACK_HOST}:${r.loopbackPort}`,
      connections: r.connections,
      failedConnections: r.failedConnections,
      readyEndpoints: [...r.readyPods],
    }));
  }

  /** `http://127.0.0.1:<port>` of a Service port (its first port when `port` is omitted). */
  url(namespace: string, name: string, port?: number): string | undefined {
    const route = [...this.#routes.values()].find(
      (r) =>
        r.namespace === namespace && r.name === name && (port === undefined || r.port === port),
    );
    return route === undefined ? undefined : `http://${LOOPBACK_HOST}:${route.loopbackPort}`;
  }

  /** The last sync or watch error, if the latest one failed (routing goes on meanwhile). */
  lastError(): string | undefined {
    return this.#lastError ?? this.#services?.lastError() ?? this.#slices?.lastError();
  }

  async stop(): Promise<void> {
    this.#syncing.stop();
    await Promise.all([this.#services?.stop(), this.#slices?.stop()]);
    await this.#syncing.idle();
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(
      [...this.#routes.values()].map(
        (r) => new Promise<void>((resolve) => r.server.close(() => resolve())),
      ),
    );
    this.#routes.clear();
  }
}
