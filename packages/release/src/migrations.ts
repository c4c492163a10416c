import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { watchUntil } from './kube-watch.ts';
import { ReleaseError } from './release-error.ts';

/** The chart labels its migrations Job (and its pod) with this component. */
export const MIGRATIONS_COMPONENT = 'migrations';
const COMPONENT_LABEL = 'app.kubernetes.io/component';

/**
 * The chart's migrations Job out of `helm template` output, as a plain Job to create before the
 * rollout: the hook annotations go (the Job is no hook here, it is its own step) and the
 * namespace is set. Undefined when the chart renders none (`migrationsEnabled: false`).
 */
export function migrationsJobFrom(manifests: string, namespace: string): V1Job | undefined {
  const jobs: V1Job[] = [];
  for (const document of parseAllDocuments(manifests)) {
    if (document.errors.length > 0) {
      throw new ReleaseError(
        'CHART_RENDER_FAILED',
        `helm template printed YAML that does not parse: ${document.errors[0]?.message}`,
      );
    }
    const object = document.toJS() as V1Job | null;
    if (
      object?.kind === 'Job' &&
      object.metadata?.labels?.[COMPONENT_LABEL] === MIGRATIONS_COMPONENT
    ) {
      jobs.push(object);
    }
  }
  if (jobs.length > 1) {
    throw new ReleaseError(
      'CHART_RENDER_FAILED',
      `the chart renders ${jobs.length} Jobs labelled ${COMPONENT_LABEL}=${MIGRATIONS_COMPONENT}; expected one`,
    );
  }
  const [job] = jobs;
  if (job === undefined) return undefined;
  const annotations = Object.fromEntries(
    Object.entries(job.metadata?.annotations ?? {}).filter(
      ([key]) => !key.startsWith('helm.sh/hook'),
    ),
  );
  return { ...job, metadata: { ...job.metadata, namespace, annotations } };
}

export interface MigrationsOutcome {
  readonly job: string;
  readonly status: 'succeeded' | 'failed' | 'timed-out';
  readonly durationMs: number;
  /** Pods the Job ran (its retries included: backoffLimit). */
  readonly attempts: number;
  /** The Job's Failed condition: `BackoffLimitExceeded`, `DeadlineExceeded`… */
  readonly reason?: string;
  readonly message?: string;
  /**
   * The last lines the last failed run printed (its termination message: the chart sets
   * `terminationMessagePolicy: FallbackToLogsOnError`), e.g. `relation "items" already exists`.
   */
  readonly logTail?: string;
}

/** The termination message of the Job's most recent failed pod, if the kubelet left one. */
async function lastFailureMessage(
  kc: KubeConfig,
  namespace: string,
  uid: string,
): Promise<string | undefined> {
  try {
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({
      namespace,
      labelSelector: `batch.kubernetes.io/controller-uid=${uid}`,
    });
    const messages = pods.items
      .filter((p) => p.status?.phase === 'Failed')
      .sort(
        (a, b) =>
          (a.metadata?.creationTimestamp?.getTime() ?? 0) -
          (b.metadata?.creationTimestamp?.getTime() ?? 0),
      )
      .map((p) => p.status?.containerStatuses?.[0]?.state?.terminated?.message)
      .filter((m): m is string => m !== undefined && m !== '');
    return messages.at(-1);
  } catch {
    return undefined; // the reason is a courtesy; the Job's condition is the verdict
  }
}

function condition(job: V1Job, type: string): { reason?: string; message?: string } | undefined {
  const found = job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  if (found === undefined) return undefined;
  return {
    ...(found.reason === undefined ? {} : { reason: found.reason }),
    ...(found.message === undefined ? {} : { message: found.message }),
  };
}

/**
 * Runs the migrations Job to its end, as the step before a rollout: a Job of the same name left
 * by an earlier release is deleted first (what the hook's `before-hook-creation` did), then the
 * Job is created and watched until Complete or Failed (its own backoffLimit and
 * activeDeadlineSeconds decide retries and a hang), or until `timeoutMs`. A timed-out Job is
 * left running for inspection; its activeDeadlineSeconds ends it.
 */
export async function runMigrationsJob(
  kc: KubeConfig,
  job: V1Job,
  options: { readonly timeoutMs: number },
): Promise<MigrationsOutcome> {
  const batch = kc.makeApiClient(BatchV1Api);
  const name = job.metadata?.name ?? '';
  const namespace = job.metadata?.namespace ?? 'default';
  const labelSelector = `${COMPONENT_LABEL}=${MIGRATIONS_COMPONENT}`;
  const list = () => batch.listNamespacedJob({ namespace, labelSelector });
  const path = `/apis/batch/v1/namespaces/${namespace}/jobs`;
  const started = performance.now();
  try {
    await batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
  }
  const gone = await watchUntil(
    kc,
    path,
    list,
    (jobs) => (jobs.some((j) => j.metadata?.name === name) ? undefined : true),
    { labelSelector, timeoutMs: 60_000 },
  );
  if (gone === undefined) {
    throw new ReleaseError(
      'HELM_FAILED',
      `the previous Job ${namespace}/${name} was not deleted within 60 s; delete it and deploy again`,
    );
  }
  const created = await batch.createNamespacedJob({ namespace, body: job });
  const uid = created.metadata?.uid;
  const remaining = Math.max(1_000, options.timeoutMs - (performance.now() - started));
  const end = await watchUntil(
    kc,
    path,
    list,
    (jobs) => {
      const current = jobs.find((j) => j.metadata?.uid === uid);
      if (current === undefined) return undefined;
      if (condition(current, 'Complete') !== undefined) return { current, failed: undefined };
      const failed = condition(current, 'Failed');
      return failed === undefined ? undefined : { current, failed };
    },
    { labelSelector, timeoutMs: remaining },
  );
  const durationMs = Math.round(performance.now() - started);
  if (end === undefined) {
    return { job: name, status: 'timed-out', durationMs, attempts: 0 };
  }
  const status = end.current.status;
  const attempts = (status?.succeeded ?? 0) + (status?.failed ?? 0);
  if (end.failed === undefined) return { job: name, status: 'succeeded', durationMs, attempts };
  const logTail = uid === undefined ? undefined : await lastFailureMessage(kc, namespace, uid);
  return {
    job: name,
    status: 'failed',
    durationMs,
    attempts,
    ...end.failed,
    ...(logTail === undefined ? {} : { logTail }),
  };
}
