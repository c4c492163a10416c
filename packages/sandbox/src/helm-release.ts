import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveTool } from '@stackproof/toolchain';
import { REPO_ROOT } from './repo-paths.ts';
import { ComponentStartError } from './sandbox-errors.ts';

const exec = promisify(execFile);

/** The reference workloads chart in this repository. */
export const WORKLOADS_CHART_DIR = join(REPO_ROOT, 'charts', 'stackproof-workloads');

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
  const helm = resolveTool('helm').path;
  const valuesFile = join(options.workDir, `${options.release}-values.json`);
  await writeFile(valuesFile, `${JSON.stringify(options.values, null, 2)}\n`);
  try {
    await exec(
      helm,
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
      { timeout: (options.timeoutSeconds + 30) * 1000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new ComponentStartError(
      `helm release ${options.release}`,
      (e.stderr || e.stdout || e.message).trim(),
    );
  }
}
