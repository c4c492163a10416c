import { clusterVersion, loadKubeConfig } from './cluster.ts';
import {
  type ChartRelease,
  checkReleaseNames,
  type HelmRevision,
  helmHistory,
  helmUpgradeAtomic,
  renderRelease,
  type UpgradeOutcome,
} from './helm.ts';
import { type MigrationsOutcome, migrationsJobFrom, runMigrationsJob } from './migrations.ts';

export interface DeployOptions {
  /** Kubeconfig for helm and the API (default: KUBECONFIG, then ~/.kube/config). */
  readonly kubeconfig?: string;
  /** helm's --timeout (the rollout's wait, and again the rollback's) and the migrations' bound. */
  readonly timeoutSeconds: number;
  /** Only the migrations step (`stackproof release migrate`). */
  readonly migrationsOnly?: boolean;
  /** One line per step as it starts and ends, for people watching a deploy. */
  readonly onProgress?: (line: string) => void;
}

/**
 * - `deployed`: migrations (if any) then the rollout succeeded;
 * - `migrated`: the migrations step alone succeeded (`migrationsOnly`);
 * - `migrations-failed`: the migrations step failed or timed out; helm was never run, so no
 *   pod changed;
 * - `rolled-back`: the rollout did not become ready within the timeout and --atomic restored the
 *   last deployed revision;
 * - `failed`: helm failed otherwise (render error, API refusal, rollback failed too).
 */
export type DeployStatus = 'deployed' | 'migrated' | 'migrations-failed' | 'rolled-back' | 'failed';

export interface DeployOutcome {
  readonly release: string;
  readonly namespace: string;
  readonly status: DeployStatus;
  /** No deployed revision existed: the chart's post-install hook migrates (see the chart). */
  readonly firstInstall: boolean;
  readonly migrations: MigrationsOutcome | { readonly status: 'skipped'; readonly reason: string };
  /** Absent when helm was not run (migrations failed, or only migrations were asked for). */
  readonly upgrade?: UpgradeOutcome;
  readonly revisionBefore: number | null;
  readonly revisionAfter: number | null;
  readonly startedAt: string;
  readonly durationMs: number;
}

function deployedRevision(history: readonly HelmRevision[]): number | null {
  return history.findLast((r) => r.status === 'deployed')?.revision ?? null;
}

/**
 * The release order of the reference pipelines: the schema migrations first, as their own step
 * (the chart's migrations Job rendered with this release's values, run to completion), and only
 * when they succeed `helm upgrade --install --atomic --wait`. So a failed migration stops the
 * release before any pod changes, and a rollout that does not become ready is rolled back by
 * Helm to the last deployed revision while the old pods keep serving (maxUnavailable 0).
 *
 * On a first install there is nothing to protect and the credentials Secret the Job reads is
 * created by the release itself, so the chart's post-install hook migrates instead.
 */
export async function deployRelease(
  spec: ChartRelease,
  options: DeployOptions,
): Promise<DeployOutcome> {
  checkReleaseNames(spec.release, spec.namespace);
  const progress = options.onProgress ?? (() => undefined);
  const target = options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig };
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const kc = loadKubeConfig(options.kubeconfig);
  const kubeVersion = await clusterVersion(kc);
  const before = await helmHistory(spec.release, spec.namespace, target);
  const revisionBefore = deployedRevision(before);
  const firstInstall = revisionBefore === null;
  const base = {
    release: spec.release,
    namespace: spec.namespace,
    firstInstall,
    revisionBefore,
    startedAt,
  };
  const done = (
    status: DeployStatus,
    migrations: DeployOutcome['migrations'],
    upgrade: UpgradeOutcome | undefined,
    revisionAfter: number | null,
  ): DeployOutcome => ({
    ...base,
    status,
    migrations,
    ...(upgrade === undefined ? {} : { upgrade }),
    revisionAfter,
    durationMs: Math.round(performance.now() - t0),
  });

  let migrations: DeployOutcome['migrations'];
  const job = migrationsJobFrom(await renderRelease(spec, kubeVersion), spec.namespace);
  if (job === undefined) {
    migrations = { status: 'skipped', reason: 'the chart renders no migrations Job' };
  } else if (firstInstall) {
    migrations = {
      status: 'skipped',
      reason: 'first install: the chart runs them after install (post-install hook)',
    };
  } else {
    progress(`migrations: Job ${spec.namespace}/${job.metadata?.name} …`);
    migrations = await runMigrationsJob(kc, job, { timeoutMs: options.timeoutSeconds * 1000 });
    const seconds = (migrations.durationMs / 1000).toFixed(1);
    progress(
      migrations.status === 'succeeded'
        ? `migrations: done in ${seconds} s`
        : `migrations: ${migrations.status} after ${seconds} s${migrations.reason === undefined ? '' : ` (${migrations.reason})`}; the release stops here, no pod was changed${migrations.logTail === undefined ? '' : `\n${migrations.logTail.replace(/^/gm, '  | ')}`}`,
    );
    if (migrations.status !== 'succeeded') {
      return done('migrations-failed', migrations, undefined, revisionBefore);
    }
  }
  if (options.migrationsOnly === true)
    return done('migrated', migrations, undefined, revisionBefore);

  progress(`helm upgrade --install --atomic --timeout ${options.timeoutSeconds}s …`);
  const upgrade = await helmUpgradeAtomic(spec, {
    ...target,
    timeoutSeconds: options.timeoutSeconds,
  });
  const after = deployedRevision(await helmHistory(spec.release, spec.namespace, target));
  const seconds = (upgrade.durationMs / 1000).toFixed(1);
  if (upgrade.exitCode === 0) {
    progress(`helm: revision ${after} deployed in ${seconds} s`);
    return done('deployed', migrations, upgrade, after);
  }
  progress(
    upgrade.rolledBack
      ? `helm: the rollout did not become ready; --atomic rolled back to revision ${revisionBefore} (${seconds} s in all)`
      : `helm: failed after ${seconds} s:\n${upgrade.outputTail}`,
  );
  return done(upgrade.rolledBack ? 'rolled-back' : 'failed', migrations, upgrade, after);
}
