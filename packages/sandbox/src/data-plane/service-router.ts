import { connect, createServer, type Server, type Socket } from 'node:net';
import { CoreV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { LOOPBACK_HOST, listenOnLoopback } from '@stackproof/core';
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
  /** How often Services and EndpointSlices are re-read. Default 250 ms. */
  readonly refreshIntervalMs?: number;
}

/**
 * Stands in for kube-proxy: one loopback TCP port per Service port. Each connection goes to the
 * next endpoint (round robin) that the Service's EndpointSlices list as ready, and is spliced to
 * the real instance of that pod. Like kube-proxy it balances connections, not requests, and it
 * knows nothing of instance health: an endpoint whose instance is gone (its node lost power)
 * stays in rotation until the control plane marks the pod not ready, and the connections routed
 * to it are reset, as a client of a dead pod IP sees them fail.
 */
export class ServiceRouter {
  readonly #core: CoreV1Api;
  readonly #discovery: DiscoveryV1Api;
  readonly #options: ServiceRouterOptions;
  readonly #routes = new Map<string, Route>();
  readonly #sockets = new Set<Socket>();
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #lastError: string | undefined;

  constructor(options: ServiceRouterOptions) {
    const kc = new KubeConfig();
    kc.loadFromFile(options.kubeconfigPath);
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#discovery = kc.makeApiClient(DiscoveryV1Api);
    this.#options = options;
  }

  /** Reads Services and endpoints once (so routes exist when start() returns), then keeps polling. */
  async start(): Promise<void> {
    await this.refresh();
    const interval = this.#options.refreshIntervalMs ?? 250;
    this.#timer = setInterval(() => {
      this.#refreshing ??= this.refresh()
        .catch((error: unknown) => {
          // The apiserver being briefly unavailable must not stop routing on the last known state.
          this.#lastError = error instanceof Error ? error.message : String(error);
        })
        .finally(() => {
          this.#refreshing = undefined;
        });
    }, interval);
  }

  #routed(namespace: string): boolean {
    const only = this.#options.namespaces;
    return only === undefined ? !namespace.startsWith('kube-') : only.includes(namespace);
  }

  /** Opens a port for every new selector Service port and re-reads every route's endpoints. */
  async refresh(): Promise<void> {
    const services = await this.#core.listServiceForAllNamespaces();
    for (const svc of services.items) {
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
    const slices = await this.#discovery.listEndpointSliceForAllNamespaces({
      labelSelector: 'kubernetes.io/service-name',
    });
    const ready = new Map<string, string[]>();
    for (const slice of slices.items) {
      const namespace = slice.metadata?.namespace ?? 'default';
      const service = slice.metadata?.labels?.['kubernetes.io/service-name'] ?? '';
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
    this.#lastError = undefined;
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

  /** The last refresh error, if the latest refresh failed. */
  lastError(): string | undefined {
    return this.#lastError;
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#refreshing;
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(
      [...this.#routes.values()].map(
        (r) => new Promise<void>((resolve) => r.server.close(() => resolve())),
      ),
    );
    this.#routes.clear();
  }
}
