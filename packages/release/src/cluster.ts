import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PolicyV1Api,
  type V1Deployment,
  type V1Pod,
  type V1PodDisruptionBudget,
  type V1ReplicaSet,
  VersionApi,
} from '@kubernetes/client-node';
import { ReleaseError } from './release-error.ts';

/** A kubeconfig file, or client-node's default (KUBECONFIG, ~/.kube/config, in-cluster). */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path === undefined) kc.loadFromDefault();
    else kc.loadFromFile(path);
  } catch (error) {
    throw new ReleaseError(
      'CLUSTER_UNREACHABLE',
      `cannot read the kubeconfig ${path ?? '(KUBECONFIG or ~/.kube/config)'}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return kc;
}

function unreachable(kc: KubeConfig, error: unknown): ReleaseError {
  const server = kc.getCurrentCluster()?.server ?? 'the current context';
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new ReleaseError(
    'CLUSTER_UNREACHABLE',
    `cannot reach the cluster at ${server}: ${detail}; check the kubeconfig (--kubeconfig) and that the cluster is up`,
    { cause: error },
  );
}

/** `major.minor.patch` of the API server, for `helm template --kube-version`. */
export async function clusterVersion(kc: KubeConfig): Promise<string> {
  let gitVersion: string;
  try {
    gitVersion = (await kc.makeApiClient(VersionApi).getCode()).gitVersion;
  } catch (error) {
    throw unreachable(kc, error);
  }
  const match = /^v?(\d+\.\d+\.\d+)/.exec(gitVersion);
  if (match?.[1] === undefined) {
    throw new ReleaseError('CLUSTER_UNREACHABLE', `the API server reports version '${gitVersion}'`);
  }
  return match[1];
}

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';

export interface ReplicaSetState {
  readonly name: string;
  /** The pod template hash: the same template always gets the same ReplicaSet. */
  readonly hash: string;
  /** The Deployment revision this ReplicaSet holds (a rollback moves an old one to a new revision). */
  readonly revision: number;
  readonly replicas: number;
  readonly readyReplicas: number;
}

export interface PodState {
  readonly name: string;
  readonly uid: string;
  readonly hash: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly restarts: number;
  readonly deleting: boolean;
}

export interface PdbState {
  readonly name: string;
  readonly currentHealthy: number;
  readonly desiredHealthy: number;
  readonly disruptionsAllowed: number;
  readonly expectedPods: number;
}

/** One Deployment with its ReplicaSets and pods, as read at one moment. */
export interface DeploymentState {
  readonly namespace: string;
  readonly name: string;
  readonly revision: number;
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly updatedReplicas: number;
  readonly selector: Readonly<Record<string, string>>;
  readonly maxUnavailable: string;
  readonly maxSurge: string;
  /** The ReplicaSet of the Deployment's current revision ('' before the controller made it). */
  readonly activeHash: string;
  readonly replicaSets: readonly ReplicaSetState[];
  readonly pods: readonly PodState[];
}

export function selectorString(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function revisionOf(object: {
  metadata?: { annotations?: Record<string, string> };
}): number {
  return Number(object.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0);
}

export function replicaSetState(rs: V1ReplicaSet): ReplicaSetState {
  return {
    name: rs.metadata?.name ?? '',
    hash: rs.metadata?.labels?.[HASH_LABEL] ?? '',
    revision: revisionOf(rs),
    replicas: rs.spec?.replicas ?? 0,
    readyReplicas: rs.status?.readyReplicas ?? 0,
  };
}

export function podState(pod: V1Pod): PodState {
  return {
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    hash: pod.metadata?.labels?.[HASH_LABEL] ?? '',
    phase: pod.status?.phase ?? 'Pending',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    restarts: (pod.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0),
    deleting: pod.metadata?.deletionTimestamp !== undefined,
  };
}

export function pdbState(pdb: V1PodDisruptionBudget): PdbState {
  return {
    name: pdb.metadata?.name ?? '',
    currentHealthy: pdb.status?.currentHealthy ?? 0,
    desiredHealthy: pdb.status?.desiredHealthy ?? 0,
    disruptionsAllowed: pdb.status?.disruptionsAllowed ?? 0,
    expectedPods: pdb.status?.expectedPods ?? 0,
  };
}

function ownedBy(object: V1ReplicaSet, deployment: V1Deployment): boolean {
  return (object.metadata?.ownerReferences ?? []).some(
    (o) => o.kind === 'Deployment' && o.uid === deployment.metadata?.uid,
  );
}

/** The Deployment of one component of a Helm release (`app.kubernetes.io/instance`, `component`). */
export async function findDeployment(
  kc: KubeConfig,
  namespace: string,
  release: string,
  component: string,
): Promise<string> {
  let items: V1Deployment[];
  try {
    items = (
      await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({
        namespace,
        labelSelector: `app.kubernetes.io/instance=${release},app.kubernetes.io/component=${component}`,
      })
    ).items;
  } catch (error) {
    throw unreachable(kc, error);
  }
  const [first, ...rest] = items;
  if (first?.metadata?.name === undefined || rest.length > 0) {
    throw new ReleaseError(
      'DEPLOYMENT_NOT_FOUND',
      `release ${release} has ${items.length} ${component} Deployments in namespace ${namespace} (expected one); is it installed there?`,
    );
  }
  return first.metadata.name;
}

/** The Deployment, its ReplicaSets and its pods now (one list each, no waiting). */
export async function readDeploymentState(
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<DeploymentState> {
  const apps = kc.makeApiClient(AppsV1Api);
  let deployment: V1Deployment;
  try {
    deployment = await apps.readNamespacedDeployment({ namespace, name });
  } catch (error) {
    if ((error as { code?: number }).code === 404) {
      throw new ReleaseError(
        'DEPLOYMENT_NOT_FOUND',
        `no Deployment ${namespace}/${name}; is the release installed?`,
      );
    }
    throw unreachable(kc, error);
  }
  const selector = deployment.spec?.selector.matchLabels ?? {};
  const labelSelector = selectorString(selector);
  const [replicaSets, pods] = await Promise.all([
    apps.listNamespacedReplicaSet({ namespace, labelSelector }),
    kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector }),
  ]);
  const revision = revisionOf(deployment);
  const sets = replicaSets.items
    .filter((rs) => ownedBy(rs, deployment))
    .map(replicaSetState)
    .sort((a, b) => a.revision - b.revision);
  const rolling = deployment.spec?.strategy?.rollingUpdate;
  return {
    namespace,
    name,
    revision,
    replicas: deployment.spec?.replicas ?? 0,
    readyReplicas: deployment.status?.readyReplicas ?? 0,
    availableReplicas: deployment.status?.availableReplicas ?? 0,
    updatedReplicas: deployment.status?.updatedReplicas ?? 0,
    selector,
    maxUnavailable: String(rolling?.maxUnavailable ?? '25%'),
    maxSurge: String(rolling?.maxSurge ?? '25%'),
    activeHash: sets.find((rs) => rs.revision === revision)?.hash ?? '',
    replicaSets: sets,
    pods: pods.items.map(podState).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** The PodDisruptionBudget whose selector is the Deployment's, if there is one. */
export async function findPdb(
  kc: KubeConfig,
  namespace: string,
  selector: Readonly<Record<string, string>>,
): Promise<string | undefined> {
  const want = selectorString(selector);
  const pdbs = await kc.makeApiClient(PolicyV1Api).listNamespacedPodDisruptionBudget({ namespace });
  return pdbs.items.find((p) => selectorString(p.spec?.selector?.matchLabels ?? {}) === want)
    ?.metadata?.name;
}
