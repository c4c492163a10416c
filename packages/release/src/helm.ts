import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputTail, runTool, type ToolResult, tailLines } from '@stackproof/toolchain';
import { ReleaseError } from './release-error.ts';

/** A Helm release of a chart directory with its values, as `helm upgrade` takes them. */
export interface ChartRelease {
  readonly release: string;
  readonly namespace: string;
  /** The chart directory. */
  readonly chart: string;
  /** `--values` files, in order. */
  readonly valuesFiles?: readonly string[];
  /** `--set-string KEY=VALUE`, in order (helm applies them over every file). */
  readonly setStrings?: readonly string[];
  /** Values written to a file and passed after `valuesFiles` (what a proof changes per release). */
  readonly values?: Readonly<Record<string, unknown>>;
}

/** Where helm finds the cluster: a kubeconfig file, else helm's own default (KUBECONFIG, ~/.kube). */
export interface HelmTarget {
  readonly kubeconfig?: string;
}

/** One line of `helm history -o json`. */
export interface HelmRevision {
  readonly revision: number;
  readonly updated: string;
  /** deployed, superseded, failed, pending-upgrade, pending-rollback, uninstalled… */
  readonly status: string;
  readonly chart: string;
  readonly appVersion: string;
  /** `Upgrade complete`, `Upgrade "x" failed: context deadline exceeded`, `Rollback to 3`. */
  readonly description: string;
}

/** How `helm upgrade --install --atomic` ended. */
export interface UpgradeOutcome {
  readonly exitCode: number | null;
  readonly durationMs: number;
  /** The upgrade failed and --atomic rolled the release back to its last deployed revision. */
  readonly rolledBack: boolean;
  /** When helm said it was rolling back (ms since the upgrade started), from its --debug log. */
  readonly rollbackStartedAfterMs?: number;
  /** The last lines helm printed (stderr after stdout). */
  readonly outputTail: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Release and namespace are DNS labels (Helm's and Kubernetes' rule); say which one is not. */
export function checkReleaseNames(release: string, namespace: string): void {
  if (!DNS_LABEL.test(release) || release.length > 53) {
    throw new ReleaseError(
      'RELEASE_INPUT_INVALID',
      `release name '${release}' must be a DNS label of at most 53 characters (lowercase letters, digits, '-')`,
    );
  }
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) {
    throw new ReleaseError(
      'RELEASE_INPUT_INVALID',
      `namespace '${namespace}' must be a DNS label (lowercase letters, digits, '-')`,
    );
  }
}

function targetArgs(target: HelmTarget): string[] {
  return target.kubeconfig === undefined ? [] : ['--kubeconfig', target.kubeconfig];
}

/**
 * The `--values`/`--set-string` arguments of a release; `values` go to a JSON file (JSON is YAML)
 * in `workDir`. The same arguments serve `helm template` and `helm upgrade`, so the migrations
 * run with exactly the values the rollout gets.
 */
export async function valueArgs(spec: ChartRelease, workDir: string): Promise<string[]> {
  const args: string[] = [];
  for (const file of spec.valuesFiles ?? []) args.push('--values', file);
  if (spec.values !== undefined) {
    const file = join(workDir, 'release-values.json');
    await writeFile(file, `${JSON.stringify(spec.values, null, 2)}\n`);
    args.push('--values', file);
  }
  for (const entry of spec.setStrings ?? []) args.push('--set-string', entry);
  return args;
}

async function withWorkDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'stackproof-release-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function failed(result: ToolResult, what: string): ReleaseError {
  return new ReleaseError('HELM_FAILED', `${what} failed:\n${outputTail(result, 15)}`);
}

/**
 * `helm template` of the release (hooks included, `helm test` pods left out) for a cluster of
 * `kubeVersion`: the manifests `helm upgrade` would apply, without touching the cluster.
 */
export async function renderRelease(spec: ChartRelease, kubeVersion: string): Promise<string> {
  return withWorkDir(async (dir) => {
    const result = await runTool(
      'helm',
      [
        'template',
        spec.release,
        spec.chart,
        '--namespace',
        spec.namespace,
        '--kube-version',
        kubeVersion,
        '--skip-tests',
        ...(await valueArgs(spec, dir)),
      ],
      { timeoutMs: 120_000 },
    );
    if (result.exitCode !== 0) {
      throw new ReleaseError(
        'CHART_RENDER_FAILED',
        `helm template of ${spec.chart} with the release's values failed:\n${outputTail(result, 15)}`,
      );
    }
    return result.stdout;
  });
}

/** The release's history, oldest first; empty when the release does not exist. */
export async function helmHistory(
  release: string,
  namespace: string,
  target: HelmTarget = {},
): Promise<HelmRevision[]> {
  const result = await runTool(
    'helm',
    [
      'history',
      release,
      '--namespace',
      namespace,
      '--max',
      '256',
      '-o',
      'json',
      ...targetArgs(target),
    ],
    { timeoutMs: 60_000 },
  );
  if (result.exitCode !== 0) {
    if (/release: not found/.test(result.stderr)) return [];
    throw failed(result, `helm history ${release}`);
  }
  const rows = JSON.parse(result.stdout) as {
    revision: number;
    updated: string;
    status: string;
    chart: string;
    app_version: string;
    description: string;
  }[];
  return rows.map((r) => ({
    revision: r.revision,
    updated: r.updated,
    status: r.status,
    chart: r.chart,
    appVersion: r.app_version,
    description: r.description,
  }));
}

/** The values the user supplied to the release's current revision (`helm get values`). */
export async function helmUserValues(
  release: string,
  namespace: string,
  target: HelmTarget = {},
): Promise<Record<string, unknown>> {
  const result = await runTool(
    'helm',
    ['get', 'values', release, '--namespace', namespace, '-o', 'json', ...targetArgs(target)],
    { timeoutMs: 60_000 },
  );
  if (result.exitCode !== 0) throw failed(result, `helm get values ${release}`);
  const values = JSON.parse(result.stdout) as Record<string, unknown> | null;
  return values ?? {};
}

// helm's --debug line when --atomic takes over (pkg/action/upgrade.go, failRelease).
const ROLLING_BACK = /atomic is set, rolling back/i;
const ROLLED_BACK = /has been rolled back due to atomic being set/i;

/**
 * `helm upgrade --install --atomic --wait --timeout` (with --debug, to time the rollback). A
 * failed upgrade is an outcome: exit code, whether --atomic rolled it back, and when. Bounded
 * by twice the timeout (the upgrade's wait, then the rollback's) plus a minute.
 */
export async function helmUpgradeAtomic(
  spec: ChartRelease,
  options: HelmTarget & {
    readonly timeoutSeconds: number;
    readonly onOutput?: (chunk: string) => void;
  },
): Promise<UpgradeOutcome> {
  return withWorkDir(async (dir) => {
    const started = performance.now();
    let rollbackStartedAfterMs: number | undefined;
    const result = await runTool(
      'helm',
      [
        'upgrade',
        spec.release,
        spec.chart,
        '--install',
        '--namespace',
        spec.namespace,
        '--create-namespace',
        '--atomic',
        '--wait',
        '--timeout',
        `${options.timeoutSeconds}s`,
        '--debug',
        ...targetArgs(options),
        ...(await valueArgs(spec, dir)),
      ],
      {
        timeoutMs: (options.timeoutSeconds * 2 + 60) * 1000,
        maxOutputChars: 4 * 1024 * 1024,
        onOutput: (chunk) => {
          if (rollbackStartedAfterMs === undefined && ROLLING_BACK.test(chunk)) {
            rollbackStartedAfterMs = Math.round(performance.now() - started);
          }
          options.onOutput?.(chunk);
        },
      },
    );
    const text = `${result.stdout}\n${result.stderr}`;
    return {
      exitCode: result.timedOut ? null : result.exitCode,
      durationMs: result.durationMs,
      rolledBack: result.exitCode !== 0 && ROLLED_BACK.test(text),
      ...(rollbackStartedAfterMs === undefined ? {} : { rollbackStartedAfterMs }),
      // --debug puts its log (and any error) on stderr, the values and manifests on stdout.
      outputTail: tailLines(result.stderr, 15) || tailLines(result.stdout, 5),
    };
  });
}
