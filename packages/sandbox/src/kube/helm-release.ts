import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { ComponentStartError, outputTail, runTool } from '@stackproof/toolchain';

/** The reference workloads chart in this repository. */
export const WORKLOADS_CHART_DIR = repoPath('charts', 'stackproof-workloads');

export interface HelmInstallOptions {
  readonly kubeconfigPath: string;
  readonly release: string;
  readonly namespace: string;
  readonly chartDir: string;
  /** Written to `<workDir>/<release>-values.json` and passed with -f (kept for the user to read). */
  readonly values: Readonly<Record<string, unknown>>;
  readonly workDir: string;
  /** helm --wait: resources ready (and hooks done) within this many seconds. */
  readonly timeoutSeconds: number;
}

/**
 * `helm upgrade --install --wait` with the pinned helm. Waiting means the Deployments'
 * pods are Ready, which in the sandbox means their real instances answer their readiness probes,
 * and the post-install hooks (the migrations Job) have run to completion.
 */
export async function helmInstall(options: HelmInstallOptions): Promise<void> {
  const valuesFile = join(options.workDir, `${options.release}-values.json`);
  await writeFile(valuesFile, `${JSON.stringify(options.values, null, 2)}\n`);
  const result = await runTool(
    'helm',
    [
      'upgrade',
      '--install',
      options.release,
      options.chartDir,
      `--namespace=${options.namespace}`,
      '--create-namespace',
      `--kubeconfig=${options.kubeconfigPath}`,
      `--values=${valuesFile}`,
      '--wait',
      '--wait-for-jobs',
      `--timeout=${options.timeoutSeconds}s`,
    ],
    { timeoutMs: (options.timeoutSeconds + 30) * 1000 },
  );
  if (result.exitCode !== 0 || result.timedOut) {
    throw new ComponentStartError(`helm release ${options.release}`, outputTail(result));
  }
}
