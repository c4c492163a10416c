import { readFile } from 'node:fs/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import { pollUntil } from '@stackproof/core';
import { KubeRawClient, KubeRequestError, statusMessage } from './kube-raw-client.ts';
import { describeObject, parseManifests } from './kubernetes-objects.ts';

/** What the apiserver said about one object sent with dryRun=All. */
export interface DryRunOutcome {
  readonly object: string;
  readonly accepted: boolean;
  /** The apiserver's refusal (its Status message), when refused. */
  readonly message?: string;
}

interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** Discovery: the resource (plural name, scope) serving apiVersion + kind, if any. */
async function findResource(
  client: KubeRawClient,
  apiVersion: string,
  kind: string,
): Promise<ApiResource | undefined> {
  const response = await client.request('GET', groupVersionPath(apiVersion));
  if (response.status === 404) return undefined;
  if (response.status !== 200) {
    throw new KubeRequestError('GET', groupVersionPath(apiVersion), response);
  }
  const list = JSON.parse(response.text) as { resources?: ApiResource[] };
  // Subresources (deployments/scale, ...) share the kind of their parent: skip them.
  return list.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
}

function collectionPath(apiVersion: string, resource: ApiResource, namespace: string): string {
  const base = groupVersionPath(apiVersion);
  return resource.namespaced
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.name}`
    : `${base}/${resource.name}`;
}

/**
 * Creates a namespace for real (dry-run objects still need their namespace to exist) and its
 * `default` ServiceAccount, which the ServiceAccount admission plugin requires of a Pod that
 * names none; without kube-controller-manager nothing else creates it.
 */
export async function createNamespace(kubeconfigPath: string, name: string): Promise<void> {
  const client = new KubeRawClient(kubeconfigPath);
  await client.json('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  const response = await client.request(
    'POST',
    `/api/v1/namespaces/${encodeURIComponent(name)}/serviceaccounts`,
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } },
  );
  // 409: a running kube-controller-manager created it first.
  if (response.status !== 201 && response.status !== 409) {
    throw new KubeRequestError('POST', 'serviceaccounts', response);
  }
}

interface CrdSpec {
  readonly group: string;
  readonly names: { readonly kind: string };
  readonly versions: readonly {
    readonly name: string;
    readonly served: boolean;
    readonly storage: boolean;
  }[];
}

/**
 * Installs CRDs for real, exactly as vendored, and waits with a bound until the apiserver
 * serves each kind (the CRD is Established and discovery lists it).
 */
export async function installCrds(
  kubeconfigPath: string,
  crdFiles: readonly string[],
): Promise<void> {
  const client = new KubeRawClient(kubeconfigPath);
  for (const file of crdFiles) {
    for (const crd of parseManifests(await readFile(file, 'utf8'))) {
      await client.json('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      const spec = (crd as KubernetesObject & { spec: CrdSpec }).spec;
      const served = spec.versions.find((version) => version.served && version.storage);
      if (served === undefined) throw new Error(`${describeObject(crd)} serves no storage version`);
      const apiVersion = `${spec.group}/${served.name}`;
      // A bound the apiserver does not reach is core's WaitTimeoutError, naming the kind.
      await pollUntil(() => findResource(client, apiVersion, spec.names.kind), {
        what: `${apiVersion} ${spec.names.kind} being served`,
        timeoutMs: 30_000,
        intervalMs: 200,
      });
    }
  }
}

/**
 * Sends each object to the apiserver with dryRun=All and fieldValidation=Strict in the given
 * namespace: the apiserver decodes strictly (unknown and duplicate fields are errors), defaults,
 * validates (CRD schemas included) and runs admission, and persists nothing.
 */
export async function dryRunObjects(
  kubeconfigPath: string,
  namespace: string,
  objects: readonly KubernetesObject[],
): Promise<DryRunOutcome[]> {
  const client = new KubeRawClient(kubeconfigPath);
  const outcomes: DryRunOutcome[] = [];
  for (const object of objects) {
    const name = describeObject(object);
    const apiVersion = object.apiVersion ?? '';
    const resource = await findResource(client, apiVersion, object.kind ?? '');
    if (resource === undefined) {
      const message = `the apiserver serves no ${object.kind} in ${apiVersion}`;
      outcomes.push({ object: name, accepted: false, message });
      continue;
    }
    const body = resource.namespaced
      ? { ...object, metadata: { ...object.metadata, namespace } }
      : object;
    const path = `${collectionPath(apiVersion, resource, namespace)}?dryRun=All&fieldValidation=Strict`;
    const response = await client.request('POST', path, body);
    if (response.status >= 200 && response.status < 300) {
      outcomes.push({ object: name, accepted: true });
    } else {
      const message = `HTTP ${response.status}: ${statusMessage(response.text)}`;
      outcomes.push({ object: name, accepted: false, message });
    }
  }
  return outcomes;
}
