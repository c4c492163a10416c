import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  PolicyV1Api,
  type V1Deployment,
  type V1Pod,
  type V1PodDisruptionBudget,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import {
  type PdbState,
  type PodState,
  pdbState,
  podState,
  type ReplicaSetState,
  replicaSetState,
  revisionOf,
  selectorString,
} from './cluster.ts';
import { type WatchedObjects, watchObjects } from './kube-watch.ts';

/** The Deployment's status as one watch event delivered it. */
export interface DeploymentStatusState {
  readonly revision: number;
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly updatedReplicas: number;
}

export type Observation =
  | {
      readonly atMs: number;
      readonly kind: 'Deployment';
      readonly verb: Verb;
      readonly state: DeploymentStatusState;
    }
  | {
      readonly atMs: number;
      readonly kind: 'ReplicaSet';
      readonly verb: Verb;
      readonly state: ReplicaSetState;
    }
  | { readonly atMs: number; readonly kind: 'Pod'; readonly verb: Verb; readonly state: PodState }
  | {
      readonly atMs: number;
      readonly kind: 'PodDisruptionBudget';
      readonly verb: Verb;
      readonly state: PdbState;
    };

type Verb = 'add' | 'update' | 'delete';

/** What the watches saw, in arrival order, with Unix milliseconds. */
export interface RolloutObservations {
  readonly deployment: string;
  readonly startedAtMs: number;
  readonly stoppedAtMs: number;
  /** The first list: what was there before anything happened. */
  readonly initial: readonly Observation[];
  readonly events: readonly Observation[];
  /** Watch errors (each restarted): the observation may have a gap. */
  readonly watchErrors: readonly string[];
}

function deploymentStatus(d: V1Deployment): DeploymentStatusState {
  return {
    revision: revisionOf(d),
    replicas: d.spec?.replicas ?? 0,
    readyReplicas: d.status?.readyReplicas ?? 0,
    availableReplicas: d.status?.availableReplicas ?? 0,
    updatedReplicas: d.status?.updatedReplicas ?? 0,
  };
}

/**
 * Watches one Deployment, its ReplicaSets, its pods and its PodDisruptionBudget (everything that
 * carries the Deployment's selector labels) for the length of a release, and keeps every event
 * with the time it arrived: the evidence of what the rollout did (which pods went when, whether
 * the replica floor and the PDB held), judged afterwards by `summarizeRollout`.
 */
export class RolloutObserver {
  readonly #deployment: string;
  readonly #startedAtMs: number;
  readonly #watches: WatchedObjects<KubernetesObject>[];
  readonly #initial: Observation[];
  readonly #events: Observation[];

  private constructor(
    deployment: string,
    startedAtMs: number,
    watches: WatchedObjects<KubernetesObject>[],
    initial: Observation[],
    events: Observation[],
  ) {
    this.#deployment = deployment;
    this.#startedAtMs = startedAtMs;
    this.#watches = watches;
    this.#initial = initial;
    this.#events = events;
  }

  static async start(
    kc: KubeConfig,
    namespace: string,
    deployment: string,
    selector: Readonly<Record<string, string>>,
  ): Promise<RolloutObserver> {
    const labelSelector = selectorString(selector);
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const policy = kc.makeApiClient(PolicyV1Api);
    const initial: Observation[] = [];
    const events: Observation[] = [];
    let listing = true;
    const record = (observation: Observation): void => {
      (listing ? initial : events).push(observation);
    };
    const ns = `/namespaces/${namespace}`;
    const watches = await Promise.all([
      watchObjects<V1Deployment>(
        kc,
        `/apis/apps/v1${ns}/deployments`,
        () => apps.listNamespacedDeployment({ namespace, labelSelector }),
        {
          labelSelector,
          onEvent: (verb, d) => {
            if (d.metadata?.name !== deployment) return;
            record({ atMs: Date.now(), kind: 'Deployment', verb, state: deploymentStatus(d) });
          },
        },
      ),
      watchObjects<V1ReplicaSet>(
        kc,
        `/apis/apps/v1${ns}/replicasets`,
        () => apps.listNamespacedReplicaSet({ namespace, labelSelector }),
        {
          labelSelector,
          onEvent: (verb, rs) =>
            record({ atMs: Date.now(), kind: 'ReplicaSet', verb, state: replicaSetState(rs) }),
        },
      ),
      watchObjects<V1Pod>(
        kc,
        `/api/v1${ns}/pods`,
        () => core.listNamespacedPod({ namespace, labelSelector }),
        {
          labelSelector,
          onEvent: (verb, pod) =>
            record({ atMs: Date.now(), kind: 'Pod', verb, state: podState(pod) }),
        },
      ),
      watchObjects<V1PodDisruptionBudget>(
        kc,
        `/apis/policy/v1${ns}/poddisruptionbudgets`,
        () => policy.listNamespacedPodDisruptionBudget({ namespace, labelSelector }),
        {
          labelSelector,
          onEvent: (verb, pdb) => {
            if (selectorString(pdb.spec?.selector?.matchLabels ?? {}) !== labelSelector) return;
            record({ atMs: Date.now(), kind: 'PodDisruptionBudget', verb, state: pdbState(pdb) });
          },
        },
      ),
    ]);
    listing = false;
    return new RolloutObserver(
      deployment,
      Date.now(),
      watches as unknown as WatchedObjects<KubernetesObject>[],
      initial,
      events,
    );
  }

  /** Stops the watches and returns everything they saw. */
  async stop(): Promise<RolloutObservations> {
    await Promise.all(this.#watches.map((w) => w.stop()));
    return {
      deployment: this.#deployment,
      startedAtMs: this.#startedAtMs,
      stoppedAtMs: Date.now(),
      initial: [...this.#initial],
      events: [...this.#events],
      watchErrors: this.#watches.flatMap((w) => w.errors()),
    };
  }
}

/** What a rollout did, out of the observations of one release. */
export interface RolloutSummary {
  readonly watchErrors: readonly string[];
  /** Deployment status updates seen; the floor checks below need some. */
  readonly deploymentUpdates: number;
  /** Lowest `availableReplicas` the Deployment reported, and its `replicas` then. */
  readonly minAvailable: { readonly available: number; readonly replicas: number } | null;
  /** Updates where fewer replicas were available than the Deployment's replica count. */
  readonly belowFloor: readonly {
    readonly atMs: number;
    readonly available: number;
    readonly replicas: number;
  }[];
  readonly pdbUpdates: number;
  /** PDB updates with fewer healthy pods than it requires. */
  readonly pdbViolations: readonly {
    readonly atMs: number;
    readonly currentHealthy: number;
    readonly desiredHealthy: number;
  }[];
  /** Every ReplicaSet seen, with the most ready pods it ever had. */
  readonly replicaSets: readonly (ReplicaSetState & {
    readonly maxReady: number;
    readonly new: boolean;
  })[];
  /** Pods that were there (and ready) when the observation started. */
  readonly initialReadyPods: readonly string[];
  /** Pods deleted during the observation, with when. */
  readonly podsDeleted: readonly {
    readonly name: string;
    readonly hash: string;
    readonly atMs: number;
  }[];
  /** Pods created during the observation, with when and when they first were ready. */
  readonly podsCreated: readonly {
    readonly name: string;
    readonly hash: string;
    readonly atMs: number;
    readonly readyAtMs: number | null;
    readonly maxRestarts: number;
  }[];
}

/** Folds the observations into what the proof judges. */
export function summarizeRollout(o: RolloutObservations): RolloutSummary {
  const all = [...o.initial, ...o.events];
  const deployments = o.events.flatMap((e) => (e.kind === 'Deployment' ? [e] : []));
  const initialDeployment = o.initial.flatMap((e) => (e.kind === 'Deployment' ? [e] : []));
  let minAvailable: RolloutSummary['minAvailable'] = null;
  const belowFloor: { atMs: number; available: number; replicas: number }[] = [];
  for (const e of [...initialDeployment, ...deployments]) {
    if (e.verb === 'delete') continue;
    const { availableReplicas: available, replicas } = e.state;
    if (
      minAvailable === null ||
      available - replicas < minAvailable.available - minAvailable.replicas
    ) {
      minAvailable = { available, replicas };
    }
    if (available < replicas) belowFloor.push({ atMs: e.atMs, available, replicas });
  }
  const pdbs = all.flatMap((e) =>
    e.kind === 'PodDisruptionBudget' && e.verb !== 'delete' ? [e] : [],
  );
  const pdbViolations = pdbs
    .filter((e) => e.state.currentHealthy < e.state.desiredHealthy)
    .map((e) => ({
      atMs: e.atMs,
      currentHealthy: e.state.currentHealthy,
      desiredHealthy: e.state.desiredHealthy,
    }));
  const initialHashes = new Set(
    o.initial.flatMap((e) => (e.kind === 'ReplicaSet' ? [e.state.hash] : [])),
  );
  const sets = new Map<string, ReplicaSetState & { maxReady: number; new: boolean }>();
  for (const e of all) {
    if (e.kind !== 'ReplicaSet') continue;
    const seen = sets.get(e.state.hash);
    sets.set(e.state.hash, {
      ...e.state,
      maxReady: Math.max(seen?.maxReady ?? 0, e.state.readyReplicas),
      new: !initialHashes.has(e.state.hash),
    });
  }
  const initialPods = new Set(o.initial.flatMap((e) => (e.kind === 'Pod' ? [e.state.name] : [])));
  const created = new Map<
    string,
    { name: string; hash: string; atMs: number; readyAtMs: number | null; maxRestarts: number }
  >();
  const deleted: { name: string; hash: string; atMs: number }[] = [];
  for (const e of o.events) {
    if (e.kind !== 'Pod') continue;
    const { name, hash } = e.state;
    // Gone for its clients from the moment it is marked for deletion (terminating).
    if (e.verb === 'delete' || e.state.deleting) {
      if (!deleted.some((d) => d.name === name)) deleted.push({ name, hash, atMs: e.atMs });
      continue;
    }
    if (initialPods.has(name)) continue;
    const seen = created.get(name) ?? { name, hash, atMs: e.atMs, readyAtMs: null, maxRestarts: 0 };
    created.set(name, {
      ...seen,
      readyAtMs: seen.readyAtMs ?? (e.state.ready ? e.atMs : null),
      maxRestarts: Math.max(seen.maxRestarts, e.state.restarts),
    });
  }
  return {
    watchErrors: o.watchErrors,
    deploymentUpdates: deployments.length,
    minAvailable,
    belowFloor,
    pdbUpdates: pdbs.length,
    pdbViolations,
    replicaSets: [...sets.values()].sort((a, b) => a.revision - b.revision),
    initialReadyPods: o.initial
      .flatMap((e) =>
        e.kind === 'Pod' && e.state.ready && !e.state.deleting ? [e.state.name] : [],
      )
      .sort(),
    podsDeleted: deleted,
    podsCreated: [...created.values()],
  };
}
