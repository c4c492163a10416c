import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTool, runTool, tailLines } from '@stackproof/toolchain';
import { k6ChildEnv } from './k6-env.ts';
import { K6RunError, K6SummaryError, K6TimeoutError } from './k6-errors.ts';
import { type K6Summary, parseSummaryExport, type ThresholdResult } from './k6-summary.ts';

/** k6's documented exit code for "the run finished, some thresholds were crossed". */
export const K6_EXIT_THRESHOLDS_FAILED = 99;

export interface K6RunOptions {
  /** Path of the k6 script (`.js` or `.ts`; k6 strips the types itself). */
  readonly script: string;
  /** Values the script reads from `__ENV` (passed as `-e KEY=VALUE`). */
  readonly scriptEnv?: Readonly<Record<string, string>>;
  /** Extra `k6 run` arguments placed before the script, e.g. `['--tag', 'run=nightly']`. */
  readonly extraArgs?: readonly string[];
  /** A k6 binary; default: `K6_BIN`, then PATH (through @stackproof/toolchain). */
  readonly k6Path?: string;
  /** Hard bound on the whole run; k6 is stopped past it. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** Live k6 output (progress, console.log), for callers that show progress. */
  readonly onOutput?: (chunk: string) => void;
  /** Environment of the k6 process; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Stops k6 (SIGTERM, then SIGKILL) when aborted, e.g. because a sibling instance failed. */
  readonly signal?: AbortSignal;
}

export interface K6RunResult extends K6Summary {
  /** 0: every threshold held; 99: the run completed and at least one threshold was crossed. */
  readonly exitCode: 0 | typeof K6_EXIT_THRESHOLDS_FAILED;
  readonly thresholdsPassed: boolean;
  readonly failedThresholds: readonly ThresholdResult[];
  readonly k6Path: string;
  readonly stdout: string;
  readonly stderr: string;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
// k6 stops gracefully on SIGTERM (teardown, summary); a hung one is killed after this grace.
const KILL_GRACE_MS = 5_000;
const KEPT_OUTPUT_CHARS = 64 * 1024;

/**
 * Runs one k6 script to completion and returns the threshold verdicts and request count read from
 * `--summary-export` (independent of whatever the script's handleSummary() writes). A crossed
 * threshold is a result (exit code 99), anything else k6 reports as failure is a K6RunError.
 */
export async function runK6(options: K6RunOptions): Promise<K6RunResult> {
  const env = options.env ?? process.env;
  const k6Path = options.k6Path ?? resolveTool('k6', env).path;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const workDir = await mkdtemp(join(tmpdir(), 'stackproof-k6-'));
  try {
    const summaryPath = join(workDir, 'summary-export.json');
    const args = ['run', '--quiet', '--no-color', '--summary-export', summaryPath];
    for (const [key, value] of Object.entries(options.scriptEnv ?? {})) {
      args.push('-e', `${key}=${value}`);
    }
    args.push(...(options.extraArgs ?? []), options.script);
    const exit = await runTool(k6Path, args, {
      env: k6ChildEnv(env),
      timeoutMs,
      killGraceMs: KILL_GRACE_MS,
      maxOutputChars: KEPT_OUTPUT_CHARS,
      ...(options.onOutput === undefined ? {} : { onOutput: options.onOutput }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (exit.timedOut) throw new K6TimeoutError(options.script, timeoutMs);
    if (exit.exitCode !== 0 && exit.exitCode !== K6_EXIT_THRESHOLDS_FAILED) {
      throw new K6RunError(options.script, exit.exitCode, exit.signal, tailLines(exit.stderr, 20));
    }
    let json: string;
    try {
      json = await readFile(summaryPath, 'utf8');
    } catch {
      throw new K6SummaryError(`k6 exited ${exit.exitCode} but wrote no ${summaryPath}`);
    }
    const summary = parseSummaryExport(json);
    const failedThresholds = summary.thresholds.filter((t) => !t.passed);
    if ((exit.exitCode === 0) !== (failedThresholds.length === 0)) {
      throw new K6SummaryError(
        `exit code ${exit.exitCode} disagrees with the exported thresholds (${failedThresholds.length} crossed)`,
      );
    }
    return {
      ...summary,
      exitCode: exit.exitCode,
      thresholdsPassed: failedThresholds.length === 0,
      failedThresholds,
      k6Path,
      stdout: exit.stdout,
      stderr: exit.stderr,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
