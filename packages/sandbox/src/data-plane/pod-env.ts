import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { StackproofError } from '@stackproof/core';

/** Reads what a container's env refers to, the way the kubelet does through the apiserver. */
export interface EnvSources {
  secretValue(namespace: string, name: string, key: string): Promise<string | undefined>;
  configMapValue(namespace: string, name: string, key: string): Promise<string | undefined>;
}

/** A Service port reachable on loopback through the sandbox's router. */
export interface ServiceRoute {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
  /** `127.0.0.1:<router port>` */
  readonly loopbackAddress: string;
}

export class PodEnvError extends StackproofError {
  constructor(pod: string, detail: string) {
    super('POD_ENV_UNRESOLVED', 'bad-input', `pod ${pod}: ${detail}`);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Stands in for cluster DNS: every `<svc>[.<ns>[.svc[.cluster.local]]]:<port>` in a value that
 * names a routed Service port becomes the router's loopback address. Only the pod's namespace
 * resolves the short name, as with the pod's DNS search path.
 */
export function rewriteServiceAddresses(
  value: string,
  podNamespace: string,
  routes: readonly ServiceRoute[],
): string {
  let result = value;
  for (const route of routes) {
    const names = [
      `${route.name}.${route.namespace}.svc.cluster.local`,
      `${route.name}.${route.namespace}.svc`,
      `${route.name}.${route.namespace}`,
      ...(route.namespace === podNamespace ? [route.name] : []),
    ];
    for (const name of names) {
      // The name must not be part of a longer host name (a preceding label or dot).
      const pattern = new RegExp(`(?<![\\w.-])${escapeRegExp(name)}:${route.port}(?!\\d)`, 'g');
      result = result.replace(pattern, route.loopbackAddress);
    }
  }
  return result;
}

/**
 * The environment a container would get: literal values, secretKeyRef and configMapKeyRef
 * resolved, `$(VAR)` references expanded as the kubelet does, and Service addresses rewritten to
 * loopback routes. A reference that cannot be resolved (and is not optional) is an error, like the
 * kubelet's CreateContainerConfigError.
 */
export async function resolveContainerEnv(
  pod: V1Pod,
  container: V1Container,
  sources: EnvSources,
  routes: readonly ServiceRoute[],
): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const podName = `${namespace}/${pod.metadata?.name ?? '?'}`;
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    let value: string | undefined;
    if (variable.value !== undefined) {
      value = variable.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) =>
        name in env ? (env[name] as string) : whole,
      );
    } else if (variable.valueFrom?.secretKeyRef) {
      const ref = variable.valueFrom.secretKeyRef;
      value = await sources.secretValue(namespace, ref.name ?? '', ref.key);
      if (value === undefined && ref.optional !== true) {
        throw new PodEnvError(podName, `${variable.name}: secret ${ref.name}/${ref.key} not found`);
      }
    } else if (variable.valueFrom?.configMapKeyRef) {
      const ref = variable.valueFrom.configMapKeyRef;
      value = await sources.configMapValue(namespace, ref.name ?? '', ref.key);
      if (value === undefined && ref.optional !== true) {
        throw new PodEnvError(
          podName,
          `${variable.name}: configmap ${ref.name}/${ref.key} not found`,
        );
      }
    } else if (variable.valueFrom?.fieldRef) {
      value = fieldRefValue(pod, variable.valueFrom.fieldRef.fieldPath);
    }
    if (value !== undefined) env[variable.name] = rewriteServiceAddresses(value, namespace, routes);
  }
  return env;
}

function fieldRefValue(pod: V1Pod, fieldPath: string): string | undefined {
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name;
    case 'metadata.namespace':
      return pod.metadata?.namespace;
    case 'metadata.uid':
      return pod.metadata?.uid;
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName;
    case 'status.podIP':
      return pod.status?.podIP;
    case 'status.hostIP':
      return pod.status?.hostIP;
    default:
      return undefined;
  }
}
