import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ApiException,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type V1APIService,
} from '@kubernetes/client-node';
import { LOOPBACK_HOST, pollUntil, reserveLoopbackPort } from '@stackproof/core';
import {
  ComponentStartError,
  type ManagedProcess,
  readLogTail,
  resolveTool,
  startManagedProcess,
  waitReady,
} from '@stackproof/toolchain';
import type { ControlPlane, ControlPlaneOptions } from './control-plane.ts';
import { probeGet } from './https-probe.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import {
  KWOK_NODE_ANNOTATION,
  KWOK_NODE_ANNOTATION_VALUE,
  type Kwok,
  type KwokOptions,
} from './kwok.ts';
import { isNodeReady } from './kwok-nodes.ts';
import { type CertKeyPair, issueCertificate, LOOPBACK_SANS } from './pki.ts';

// The metrics pipeline, as on a real cluster but with KWOK in the kubelet's place:
//
//   cpu-sampler.ts ──annotations──▶ pod ◀──watch── KWOK ──/metrics/nodes/<node>/metrics/resource──▶
//   metrics-server ◀──aggregator (APIService v1beta1.metrics.k8s.io)── kube-apiserver ◀── HPA, kubectl top
//
// - KWOK serves, per node, what a kubelet serves on /metrics/resource (kwok/metrics/), over TLS
//   with a certificate from the sandbox CA. Each node's InternalIP is 127.0.0.1 and its kubelet
//   port is KWOK's port, which metrics-server uses with --kubelet-use-node-status-port; the node
//   annotation metrics.k8s.io/resource-metrics-path (read by metrics-server v0.9.0's kubelet client,
//   pkg/scraper/client/resource/client.go) points it at the node's KWOK path.
// - metrics-server runs as a local process with its own client certificate
//   (CN=system:metrics-server) and the RBAC its upstream manifests grant.
// - The APIService routes through an ExternalName Service whose externalName is 127.0.0.1: the
//   aggregator's cluster-IP resolver turns that into https://127.0.0.1:<port> (the port comes
//   from the APIService). EndpointSlices and Endpoints cannot carry a loopback address, so the
//   endpoint resolver (--enable-aggregator-routing=true) cannot reach anything here; the control
//   plane must run with aggregatorRouting 'service'. The aggregator verifies metrics-server's
//   certificate for metrics-server.kube-system.svc against caBundle (the sandbox CA) and
//   authenticates with the front-proxy client certificate.

/** KWOK Metric and ClusterResourceUsage shipped with this package (see kwok/metrics/README.md). */
export const KWOK_METRICS_DIR = fileURLToPath(new URL('../../kwok/metrics/', import.meta.url));

/** Node annotation metrics-server reads the resource-metrics path from (instead of /metrics/resource). */
export const RESOURCE_METRICS_PATH_ANNOTATION = 'metrics.k8s.io/resource-metrics-path';

/**
 * metrics-server refuses a resolution below 10 s (its option validation), so 10 s is the
 * shortest: a usage change reaches the metrics API at most 10 s after KWOK sees it.
 */
export const MIN_METRIC_RESOLUTION_SECONDS = 10;

/** Control-plane options the pipeline needs (spread into startControlPlane's options). */
export const metricsPipelineControlPlaneOptions = {
  aggregatorRouting: 'service',
} as const satisfies ControlPlaneOptions;

const NAMESPACE = 'kube-system';
const SERVICE_NAME = 'metrics-server';
const API_SERVICE_NAME = 'v1beta1.metrics.k8s.io';
const USER = 'system:metrics-server';
const FIELD_MANAGER = 'stackproof-metrics-pipeline';
const READY_TIMEOUT_MS = 180_000;
const CLEANUP_TIMEOUT_MS = 10_000;

/** The path KWOK serves a node's resource metrics at (the Metric in kwok/metrics/). */
export function kwokResourceMetricsPath(nodeName: string): string {
  return `/metrics/nodes/${encodeURIComponent(nodeName)}/metrics/resource`;
}

/**
 * Annotations a KWOK node needs for metrics-server to scrape it: pass them in
 * FakeNodeSpec.annotations, e.g.
 * `createKwokNodes(cp, specs.map((s) => ({ ...s, annotations: metricsNodeAnnotations(s.name) })))`.
 */
export function metricsNodeAnnotations(nodeName: string): Record<string, string> {
  return { [RESOURCE_METRICS_PATH_ANNOTATION]: kwokResourceMetricsPath(nodeName) };
}

function metricsPkiDir(controlPlane: ControlPlane): string {
  return join(controlPlane.workDir, 'metrics-pki');
}

/**
 * Options for startKwok that make KWOK act as every node's kubelet for resource metrics: the
 * Metric and ClusterResourceUsage config, 127.0.0.1 as node InternalIP, its port as kubelet port,
 * and TLS with a certificate for 127.0.0.1 from the sandbox CA (which metrics-server verifies).
 * Spread them into the options: `startKwok(cp, { ...(await kwokMetricsOptions(cp)) })`.
 */
export async function kwokMetricsOptions(controlPlane: ControlPlane): Promise<KwokOptions> {
  const tls = await issueCertificate(metricsPkiDir(controlPlane), {
    file: 'kwok-kubelet',
    cn: 'kwok-kubelet',
    usage: ['serverAuth'],
    sans: LOOPBACK_SANS,
    signer: controlPlane.pki.ca,
  });
  return {
    extraConfigFiles: [
      join(KWOK_METRICS_DIR, 'metrics-resource.yaml'),
      join(KWOK_METRICS_DIR, 'usage-from-annotation.yaml'),
    ],
    nodeIp: LOOPBACK_HOST,
    advertiseKubeletPort: true,
    tls,
  };
}

export interface MetricsPipelineOptions {
  /**
   * Nodes whose metrics must be served before start returns. Default: every Ready node carrying
   * KWOK's annotation at start.
   */
  readonly nodes?: readonly string[];
  /** metrics-server's --metric-resolution in seconds. Default (and minimum) 10. */
  readonly metricResolutionSeconds?: number;
  /** Upper bound for the whole start. Default 180 s. */
  readonly timeoutMs?: number;
  /** Default: `<controlPlane.workDir>/logs/metrics-server.log`. */
  readonly logFile?: string;
  /** Progress messages ("metrics-server is live", ...). */
  readonly onProgress?: (message: string) => void;
}

export interface MetricsPipeline {
  /** metrics-server's pid. */
  readonly pid: number;
  readonly logFile: string;
  /** metrics-server's own https URL on 127.0.0.1 (served with a sandbox-CA certificate). */
  readonly url: string;
  readonly metricResolutionSeconds: number;
  /** Milliseconds from start until the metrics API listed every awaited node. */
  readonly readyAfterMs: number;
  /** Unregisters the APIService (so discovery stays clean) and stops metrics-server. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface NodeMetricsList {
  readonly items?: readonly {
    readonly metadata?: { readonly name?: string };
    readonly usage?: Record<string, string>;
  }[];
}

function rbacObjects(): KubernetesObject[] {
  const user = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: USER }];
  const rbac = 'rbac.authorization.k8s.io/v1';
  // As metrics-server's manifests/base/rbac.yaml (v0.9.0), bound to the client certificate's
  // user instead of a ServiceAccount.
  return [
    {
      apiVersion: rbac,
      kind: 'ClusterRole',
      metadata: {
        name: 'system:aggregated-metrics-reader',
        labels: {
          'rbac.authorization.k8s.io/aggregate-to-view': 'true',
          'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
        },
      },
      rules: [
        {
          apiGroups: ['metrics.k8s.io'],
          resources: ['pods', 'nodes'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    } as KubernetesObject,
    {
      apiVersion: rbac,
      kind: 'ClusterRole',
      metadata: { name: 'system:metrics-server' },
      rules: [
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
    } as KubernetesObject,
    {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:metrics-server' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: USER },
      subjects: user,
    } as KubernetesObject,
    {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'metrics-server:system:auth-delegator' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'system:auth-delegator',
      },
      subjects: user,
    } as KubernetesObject,
    {
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: { name: 'metrics-server-auth-reader', namespace: NAMESPACE },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'extension-apiserver-authentication-reader',
      },
      subjects: user,
    } as KubernetesObject,
  ];
}

function serviceObject(): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: SERVICE_NAME,
      namespace: NAMESPACE,
      labels: { 'app.kubernetes.io/name': 'metrics-server' },
    },
    // An IP is a valid externalName (a DNS-1123 subdomain syntactically); the aggregator dials
    // it as is, so no resolver is involved.
    spec: { type: 'ExternalName', externalName: LOOPBACK_HOST },
  } as KubernetesObject;
}

function apiServiceObject(port: number, caBundle: string): V1APIService {
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: API_SERVICE_NAME, labels: { 'app.kubernetes.io/name': 'metrics-server' } },
    spec: {
      service: { name: SERVICE_NAME, namespace: NAMESPACE, port },
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      caBundle,
      insecureSkipTLSVerify: false,
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  };
}

async function apply(client: KubernetesObjectApi, object: KubernetesObject): Promise<void> {
  await client.patch(
    object,
    undefined,
    undefined,
    FIELD_MANAGER,
    true,
    PatchStrategy.ServerSideApply,
  );
}

async function deleteIgnoringMissing(
  client: KubernetesObjectApi,
  object: KubernetesObject,
): Promise<void> {
  try {
    await client.delete(object);
  } catch (error) {
    if ((error as ApiException<unknown>).code !== 404) throw error;
  }
}

async function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The Ready nodes KWOK manages, by its default annotation. */
async function readyKwokNodes(core: CoreV1Api): Promise<string[]> {
  const nodes = await core.listNode();
  return nodes.items
    .filter(
      (n) =>
        n.metadata?.annotations?.[KWOK_NODE_ANNOTATION] === KWOK_NODE_ANNOTATION_VALUE &&
        isNodeReady(n),
    )
    .map((n) => n.metadata?.name ?? '')
    .filter((name) => name !== '');
}

/**
 * Starts metrics-server against the control plane, scraping the KWOK nodes, and registers it
 * as the metrics API (APIService v1beta1.metrics.k8s.io) so `kubectl top` and the HPA work.
 * Needs the control plane started with metricsPipelineControlPlaneOptions, KWOK started with
 * kwokMetricsOptions and the nodes created with metricsNodeAnnotations. Returns once
 * `GET /apis/metrics.k8s.io/v1beta1/nodes` through the apiserver lists every awaited node; a
 * failure names the component (metrics-server, or kwok when KWOK was started without
 * kwokMetricsOptions) with the tail of the log that explains it.
 * CPU reaches the pods through their usage annotations: see startCpuSampler.
 */
export async function startMetricsPipeline(
  controlPlane: ControlPlane,
  kwok: Kwok,
  options: MetricsPipelineOptions = {},
): Promise<MetricsPipeline> {
  const t0 = performance.now();
  const binary = resolveTool('metrics-server').path;
  const resolution = options.metricResolutionSeconds ?? MIN_METRIC_RESOLUTION_SECONDS;
  if (!Number.isInteger(resolution) || resolution < MIN_METRIC_RESOLUTION_SECONDS) {
    throw new RangeError(
      `metricResolutionSeconds must be an integer >= ${MIN_METRIC_RESOLUTION_SECONDS} (metrics-server's minimum), got ${resolution}`,
    );
  }
  const timeoutMs = options.timeoutMs ?? READY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const remaining = (): number => Math.max(1_000, deadline - Date.now());
  const progress = (message: string): void => options.onProgress?.(message);
  const logFile = options.logFile ?? join(controlPlane.workDir, 'logs', 'metrics-server.log');

  const kc = new KubeConfig();
  kc.loadFromFile(controlPlane.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const adminTls = { caFile: controlPlane.pki.ca.cert, client: controlPlane.pki.admin };

  // Nodes first: a missing annotation is a wiring mistake better named now than as a timeout.
  const nodes = options.nodes ?? (await readyKwokNodes(core));
  for (const name of nodes) {
    const node = await core.readNode({ name });
    const path = node.metadata?.annotations?.[RESOURCE_METRICS_PATH_ANNOTATION];
    if (path !== kwokResourceMetricsPath(name)) {
      throw new ComponentStartError(
        'metrics-server',
        `node ${name} lacks the annotation ${RESOURCE_METRICS_PATH_ANNOTATION}=${kwokResourceMetricsPath(name)}; ` +
          'create KWOK nodes with annotations: metricsNodeAnnotations(name)',
      );
    }
  }
  // KWOK must serve the kubelet endpoint over TLS with a sandbox-CA certificate.
  if (nodes[0] !== undefined) {
    const url = `https://${LOOPBACK_HOST}:${kwok.port}${kwokResourceMetricsPath(nodes[0])}`;
    const served = await probeGet(url, { caFile: controlPlane.pki.ca.cert }).catch(
      (error: unknown) => ({ status: 0, body: String(error) }),
    );
    if (served.status !== 200 || !served.body.includes('node_cpu_usage_seconds_total')) {
      throw new ComponentStartError(
        'kwok',
        `GET ${url} answered ${served.status} ${served.body.slice(0, 200)}; start KWOK with kwokMetricsOptions(controlPlane)`,
        kwok.logFile,
        await readLogTail(kwok.logFile),
      );
    }
  }

  const pkiDir = metricsPkiDir(controlPlane);
  const [serving, client] = (await Promise.all([
    issueCertificate(pkiDir, {
      file: 'metrics-server',
      cn: 'metrics-server',
      usage: ['serverAuth'],
      // The aggregator verifies <service>.<namespace>.svc; probes from here use 127.0.0.1.
      sans: [
        `DNS:${SERVICE_NAME}.${NAMESPACE}.svc`,
        `DNS:${SERVICE_NAME}.${NAMESPACE}.svc.cluster.local`,
        ...LOOPBACK_SANS,
      ],
      signer: controlPlane.pki.ca,
    }),
    issueCertificate(pkiDir, {
      file: 'metrics-server-client',
      cn: USER,
      usage: ['clientAuth'],
      signer: controlPlane.pki.ca,
    }),
  ])) as [CertKeyPair, CertKeyPair];
  const kubeconfig = join(pkiDir, 'metrics-server.kubeconfig');
  await writeKubeconfig(kubeconfig, {
    server: controlPlane.server,
    caFile: controlPlane.pki.ca.cert,
    client,
    user: USER,
  });

  try {
    for (const object of [...rbacObjects(), serviceObject()]) await apply(objects, object);
  } catch (error) {
    throw await startError(
      'metrics-server',
      new Error(`could not create its RBAC and Service: ${describeApiError(error)}`),
      apiserverLog(controlPlane),
    );
  }

  const port = await reserveLoopbackPort();
  const url = `https://${LOOPBACK_HOST}:${port}`;
  const certDir = join(pkiDir, 'metrics-server-certs');
  let proc: ManagedProcess | undefined;
  const unregister = async (): Promise<void> => {
    await bounded(
      Promise.allSettled([
        deleteIgnoringMissing(objects, apiServiceObject(port, '')),
        deleteIgnoringMissing(objects, serviceObject()),
      ]),
      CLEANUP_TIMEOUT_MS,
    );
  };
  try {
    proc = await startManagedProcess({
      name: 'metrics-server',
      command: binary,
      logFile,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        `--bind-address=${LOOPBACK_HOST}`,
        `--secure-port=${port}`,
        `--tls-cert-file=${serving.cert}`,
        `--tls-private-key-file=${serving.key}`,
        // Unused with explicit certificates, but its default is relative to the cwd.
        `--cert-dir=${certDir}`,
        `--metric-resolution=${resolution}s`,
        // Must stay below 90% of the resolution (metrics-server's validation); a KWOK scrape
        // answers in milliseconds.
        `--kubelet-request-timeout=${Math.min(5, Math.floor(resolution * 0.9) - 1)}s`,
        // "The kubelet" is KWOK: node InternalIP 127.0.0.1, port from the node status,
        // certificate from the sandbox CA.
        '--kubelet-preferred-address-types=InternalIP',
        '--kubelet-use-node-status-port',
        `--kubelet-certificate-authority=${controlPlane.pki.ca.cert}`,
      ],
    });
    const started = proc;
    const abortIfExited = (): Error | undefined => {
      const info = started.exitInfo();
      return info === undefined
        ? undefined
        : new Error(`exited (code ${info.code}, signal ${info.signal})`);
    };
    await waitReady(
      started,
      async () => {
        try {
          return (
            (await probeGet(`${url}/livez`, { caFile: controlPlane.pki.ca.cert })).status === 200
          );
        } catch {
          return false;
        }
      },
      { what: 'metrics-server to answer /livez', timeoutMs: remaining() },
    );
    progress(`metrics-server is live on ${url}`);

    const caBundle = (await readFile(controlPlane.pki.ca.cert)).toString('base64');
    await apply(objects, apiServiceObject(port, caBundle)).catch(async (error: unknown) => {
      throw await startError(
        'metrics-server',
        new Error(`could not register APIService ${API_SERVICE_NAME}: ${describeApiError(error)}`),
        apiserverLog(controlPlane),
      );
    });
    let wiringError: FatalWiringError | undefined;
    try {
      await pollUntil(
        async () => {
          const service = await objects.read<V1APIService>({
            apiVersion: 'apiregistration.k8s.io/v1',
            kind: 'APIService',
            metadata: { name: API_SERVICE_NAME },
          });
          const available = service.status?.conditions?.find((c) => c.type === 'Available');
          if (available?.status === 'True') return true;
          if (available?.message?.includes('unsupported service type') === true) {
            wiringError = new FatalWiringError(
              `kube-apiserver's aggregator cannot route to the ExternalName Service (${available.message}); ` +
                'start the control plane with metricsPipelineControlPlaneOptions ' +
                "(aggregatorRouting: 'service')",
            );
            return undefined;
          }
          throw new Error(
            `APIService ${API_SERVICE_NAME}: ${available?.reason}: ${available?.message}`,
          );
        },
        {
          what: `APIService ${API_SERVICE_NAME} to become Available`,
          timeoutMs: remaining(),
          intervalMs: 250,
          abortIf: () => wiringError ?? abortIfExited(),
        },
      );
    } catch (error) {
      // A routing mistake is the apiserver's configuration: its log is the one to read.
      throw await startError(
        'metrics-server',
        error,
        error instanceof FatalWiringError ? apiserverLog(controlPlane) : logFile,
      );
    }
    progress(`APIService ${API_SERVICE_NAME} is Available`);

    try {
      await pollUntil(
        async () => {
          const res = await probeGet(
            `${controlPlane.server}/apis/metrics.k8s.io/v1beta1/nodes`,
            adminTls,
          );
          if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 300)}`);
          const listed = new Set(
            ((JSON.parse(res.body) as NodeMetricsList).items ?? []).map((i) => i.metadata?.name),
          );
          const missing = nodes.filter((n) => !listed.has(n));
          if (missing.length > 0) throw new Error(`no metrics yet for ${missing.join(', ')}`);
          return true;
        },
        {
          what: `the metrics API to list nodes ${nodes.join(', ')}`,
          timeoutMs: remaining(),
          intervalMs: 500,
          abortIf: abortIfExited,
        },
      );
    } catch (error) {
      throw await startError('metrics-server', error, logFile);
    }
  } catch (error) {
    await unregister();
    await proc?.stop().catch(() => undefined);
    throw error;
  }
  const readyAfterMs = Math.round(performance.now() - t0);
  progress(`metrics API serves ${nodes.length} node(s) after ${readyAfterMs} ms`);

  const running = proc;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Unregister first: an APIService left pointing at a stopped server makes discovery
      // (kubectl, the namespace and garbage-collector controllers) report the group as
      // unavailable. Bounded, and skipped quietly if the apiserver is already gone.
      await unregister();
      await running.stop();
      await rm(certDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  return {
    pid: running.pid,
    logFile,
    url,
    metricResolutionSeconds: resolution,
    readyAfterMs,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A misconfiguration that waiting cannot fix. */
class FatalWiringError extends Error {}

function describeApiError(error: unknown): string {
  const api = error as Partial<ApiException<unknown>>;
  if (typeof api.code === 'number') {
    const body = typeof api.body === 'string' ? api.body : JSON.stringify(api.body);
    return `HTTP ${api.code}: ${body?.slice(0, 300)}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function apiserverLog(controlPlane: ControlPlane): string | undefined {
  return controlPlane.components.find((c) => c.name === 'kube-apiserver')?.logFile;
}

async function startError(
  component: string,
  error: unknown,
  logFile: string | undefined,
): Promise<ComponentStartError> {
  const reason = error instanceof Error ? error.message : String(error);
  return new ComponentStartError(
    component,
    reason,
    logFile,
    logFile === undefined ? undefined : await readLogTail(logFile),
  );
}
