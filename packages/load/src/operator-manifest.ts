import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunPlan } from './judge.ts';
import { k6ChildEnv } from './k6-env.ts';
import { K6RunError } from './k6-errors.ts';
import { LoadRunInputError } from './run-load.ts';

export interface OperatorManifestOptions {
  /** Name of the TestRun (and prefix of the ConfigMap, ServiceAccount, Role, claim). */
  readonly name: string;
  /** Namespace the runners run in. */
  readonly namespace: string;
  /** The run to distribute (from `k6 inspect`; the same plan.json `aggregate` judges with). */
  readonly runPlan: RunPlan;
  /** The scenario's script; bundled with its imports by `k6 archive` into the ConfigMap. */
  readonly script: string;
  readonly k6Path: string;
  /** A k6 image with the xk6-kubernetes extension (built from tools/go/k6 and pushed by you). */
  readonly runnerImage: string;
  /** An existing ReadWriteMany claim for the runners' outputs; created when not given. */
  readonly resultsClaim?: string;
  readonly storageClass?: string;
}

type Manifest = Record<string, unknown>;

/** A name Kubernetes accepts (DNS-1123 label). */
function checkName(what: string, value: string): void {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) || value.length > 52) {
    throw new LoadRunInputError(
      `${what} '${value}' must be a lowercase DNS label of at most 52 characters`,
    );
  }
}

/** `k6 archive`: the script, its imports and its `-e` values in one tar (k6-operator runs archives). */
async function archive(
  k6Path: string,
  script: string,
  env: Readonly<Record<string, string>>,
): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'stackproof-k6-archive-'));
  try {
    const out = join(dir, 'archive.tar');
    const args = ['archive', '-O', out];
    for (const [key, value] of Object.entries(env)) args.push('-e', `${key}=${value}`);
    args.push(script);
    try {
      await promisify(execFile)(k6Path, args, { env: k6ChildEnv(process.env), timeout: 60_000 });
    } catch (error) {
      const e = error as { code?: number; stderr?: string };
      throw new K6RunError(
        `archive ${script}`,
        typeof e.code === 'number' ? e.code : null,
        null,
        (e.stderr ?? String(error)).trim(),
      );
    }
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The k6-operator resources of a distributed run, as one `List` (apply with `kubectl apply -f`):
 * - a ConfigMap holding the scenario as a k6 archive (script, imports, `-e` values);
 * - a ServiceAccount with a Role in the HPA's namespace to read the HPA, its Deployment and the
 *   pods' metrics, so the runner that samples the cluster can (in-cluster config);
 * - a ReadWriteMany PersistentVolumeClaim (unless one is given) where each runner writes its raw
 *   samples to `<pod name>.json.gz` (K6_OUT, with the pod name from the downward API);
 * - the TestRun: parallelism N; the operator gives each runner its execution segment.
 * Copy the claim's files next to the plan.json and run `stackproof load aggregate DIR`.
 */
export async function operatorManifest(options: OperatorManifestOptions): Promise<Manifest> {
  checkName('--name', options.name);
  checkName('--namespace', options.namespace);
  const { runPlan } = options;
  const claim = options.resultsClaim ?? `${options.name}-results`;
  const labels = {
    'app.kubernetes.io/name': 'stackproof-load',
    'app.kubernetes.io/instance': options.name,
  };
  // the runners sample the cluster from inside it: no kubeconfig file there
  const { KUBECONFIG_PATH: _local, ...env } = runPlan.scriptEnv;
  const tar = await archive(options.k6Path, options.script, env);
  const items: Manifest[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${options.name}-script`, namespace: options.namespace, labels },
      binaryData: { 'archive.tar': tar.toString('base64') },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: `${options.name}-runner`, namespace: options.namespace, labels },
    },
  ];
  if (runPlan.hpa !== undefined) {
    const [hpaNamespace] = runPlan.hpa.split('/');
    items.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `${options.name}-sampler`, namespace: hpaNamespace, labels },
        rules: [
          { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get'] },
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
          { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['list'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `${options.name}-sampler`, namespace: hpaNamespace, labels },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: `${options.name}-sampler`,
        },
        subjects: [
          { kind: 'ServiceAccount', name: `${options.name}-runner`, namespace: options.namespace },
        ],
      },
    );
  }
  if (options.resultsClaim === undefined) {
    items.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claim, namespace: options.namespace, labels },
      spec: {
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: '5Gi' } },
        ...(options.storageClass === undefined ? {} : { storageClassName: options.storageClass }),
      },
    });
  }
  items.push({
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name: options.name, namespace: options.namespace, labels },
    spec: {
      parallelism: runPlan.instances,
      script: { configMap: { name: `${options.name}-script`, file: 'archive.tar' } },
      // the operator stops the runners' pods when they are done; the claim keeps the outputs
      cleanup: 'post',
      runner: {
        image: options.runnerImage,
        serviceAccountName: `${options.name}-runner`,
        metadata: { labels },
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          // Kubernetes expands $(POD_NAME): one raw output per runner on the shared claim
          { name: 'K6_OUT', value: 'json=/results/$(POD_NAME).json.gz' },
          { name: 'K6_SYSTEM_TAGS', value: 'status,method,scenario,expected_response,error_code' },
          { name: 'K6_NO_USAGE_REPORT', value: 'true' },
          { name: 'K6_AUTO_EXTENSION_RESOLUTION', value: 'false' },
        ],
        volumes: [{ name: 'results', persistentVolumeClaim: { claimName: claim } }],
        volumeMounts: [{ name: 'results', mountPath: '/results' }],
      },
    },
  });
  return { apiVersion: 'v1', kind: 'List', items };
}
