import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOOPBACK_HOST, reserveLoopbackPort } from '@stackproof/core';
import { resolveTool, startManagedProcess, waitReady } from '@stackproof/toolchain';
import type { ControlPlane } from './control-plane.ts';
import { probeGet } from './https-probe.ts';
import type { CertKeyPair } from './pki.ts';

/** The annotation (and value) KWOK manages nodes by, unless told otherwise. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const KWOK_NODE_ANNOTATION_VALUE = 'fake';

/** Stage files shipped with this package (see kwok/stages/README.md). */
export const KWOK_STAGES_DIR = fileURLToPath(new URL('../../kwok/stages/', import.meta.url));

export interface KwokOptions {
  /**
   * Which nodes KWOK manages: an annotation selector (default
   * `kwok.x-k8s.io/node=fake`) or a label selector. Nodes outside it are left alone.
   */
  readonly manageNodes?:
    | { readonly annotationSelector: string }
    | { readonly labelSelector: string }
    | { readonly all: true };
  /** Stage files passed with --config. Default: every file in KWOK_STAGES_DIR. */
  readonly stageFiles?: readonly string[];
  /** Pod IP range KWOK hands out. Default 10.0.0.0/16 (room for a few thousand pods). */
  readonly podCidr?: string;
  /** Node lease duration; the node controller marks a node NotReady once its lease lapses. */
  readonly nodeLeaseDurationSeconds?: number;
  /** Where its log goes. Default: `<controlPlane.workDir>/logs/kwok.log`. */
  readonly logFile?: string;
  /**
   * More files passed with --config after the stage files, for KWOK's other kinds (Metric,
   * ClusterResourceUsage, ...). Kinds given in --config are served without installing CRDs.
   */
  readonly extraConfigFiles?: readonly string[];
  /**
   * `--node-ip`: the InternalIP the node-initialize stage gives the nodes (and the host IP of
   * their pods). Default: none, so nodes get no InternalIP.
   */
  readonly nodeIp?: string;
  /**
   * Publish KWOK's own server port as each node's kubelet port (`--node-port`, which the
   * node-initialize stage writes to status.daemonEndpoints.kubeletEndpoint.Port), so clients of
   * "the kubelet" (metrics-server, the apiserver's logs/exec) reach KWOK. Default false.
   */
  readonly advertiseKubeletPort?: boolean;
  /**
   * Certificate KWOK serves TLS with on its port (it tells TLS from plain HTTP per connection,
   * so /healthz over http keeps working). Default: KWOK's own throwaway self-signed one.
   */
  readonly tls?: CertKeyPair;
}

export interface Kwok {
  readonly pid: number;
  readonly logFile: string;
  /** http URL of KWOK's own server (/healthz, /metrics) on 127.0.0.1. */
  readonly url: string;
  /** Port of that server; it serves https on the same port. */
  readonly port: number;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const KWOK_READY_TIMEOUT_MS = 60_000;

async function defaultStageFiles(): Promise<string[]> {
  const names = (await readdir(KWOK_STAGES_DIR)).filter((n) => n.endsWith('.yaml')).sort();
  return names.map((n) => join(KWOK_STAGES_DIR, n));
}

function manageFlag(manage: KwokOptions['manageNodes']): string {
  if (manage === undefined) {
    return `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=${KWOK_NODE_ANNOTATION_VALUE}`;
  }
  if ('all' in manage) return '--manage-all-nodes=true';
  if ('labelSelector' in manage)
    return `--manage-nodes-with-label-selector=${manage.labelSelector}`;
  return `--manage-nodes-with-annotation-selector=${manage.annotationSelector}`;
}

/**
 * Starts KWOK against a running control plane with the admin kubeconfig. It makes the nodes it
 * manages (see createKwokNodes) Ready, renews their leases and runs the pods scheduled on them
 * through the stage files. Binary from KWOK_BIN or PATH.
 */
export async function startKwok(
  controlPlane: ControlPlane,
  options: KwokOptions = {},
): Promise<Kwok> {
  const binary = resolveTool('kwok').path;
  const stageFiles = options.stageFiles ?? (await defaultStageFiles());
  const logFile = options.logFile ?? join(controlPlane.workDir, 'logs', 'kwok.log');
  await mkdir(join(logFile, '..'), { recursive: true });
  const port = await reserveLoopbackPort();
  const url = `http://${LOOPBACK_HOST}:${port}`;
  const proc = await startManagedProcess({
    name: 'kwok',
    command: binary,
    args: [
      `--kubeconfig=${controlPlane.kubeconfigPath}`,
      // Explicit --config also keeps KWOK from reading a user's ~/.kwok/kwok.yaml.
      ...stageFiles.map((file) => `--config=${file}`),
      manageFlag(options.manageNodes),
      `--server-address=${LOOPBACK_HOST}:${port}`,
      `--cidr=${options.podCidr ?? '10.0.0.0/16'}`,
      `--node-lease-duration-seconds=${options.nodeLeaseDurationSeconds ?? 40}`,
      ...(options.extraConfigFiles ?? []).map((file) => `--config=${file}`),
      ...(options.nodeIp === undefined ? [] : [`--node-ip=${options.nodeIp}`]),
      ...(options.advertiseKubeletPort === true ? [`--node-port=${port}`] : []),
      ...(options.tls === undefined
        ? []
        : [`--tls-cert-file=${options.tls.cert}`, `--tls-private-key-file=${options.tls.key}`]),
    ],
    logFile,
  });
  try {
    await waitReady(
      proc,
      async () => {
        try {
          return (await probeGet(`${url}/healthz`)).status === 200;
        } catch {
          return false;
        }
      },
      { what: 'kwok to answer /healthz', timeoutMs: KWOK_READY_TIMEOUT_MS },
    );
  } catch (error) {
    await proc.stop().catch(() => undefined);
    throw error;
  }
  const stop = async (): Promise<void> => {
    await proc.stop();
  };
  return { pid: proc.pid, logFile, url, port, stop, [Symbol.asyncDispose]: stop };
}
