import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { IacError } from './iac-error.ts';

export interface TofuResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs OpenTofu without colour or prompts; returns its exit status and output. */
export function runTofu(
  tofuPath: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): TofuResult {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    NO_COLOR: '1',
  };
  // A TF_CLI_CONFIG_FILE naming a file that does not exist only makes OpenTofu print a warning
  // into its output (seen on machines whose profile exports ~/.terraformrc): drop it.
  if (
    env.TF_CLI_CONFIG_FILE !== undefined &&
    env.TF_CLI_CONFIG_FILE !== '' &&
    !existsSync(env.TF_CLI_CONFIG_FILE)
  ) {
    delete env.TF_CLI_CONFIG_FILE;
  }
  const r = spawnSync(tofuPath, [...args], {
    cwd: options.cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeoutMs ?? 600_000,
  });
  if (r.error !== undefined) {
    throw new IacError(
      'TOFU_FAILED',
      `cannot run ${tofuPath} ${args.join(' ')}: ${r.error.message}`,
    );
  }
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Like runTofu, but a non-zero exit is an error carrying the tail of OpenTofu's output. */
export function runTofuOrThrow(
  tofuPath: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): TofuResult {
  const r = runTofu(tofuPath, args, options);
  if (r.status !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new IacError(
      'TOFU_FAILED',
      `tofu ${args.join(' ')} failed in ${options.cwd} (exit ${r.status}):\n${tail}`,
    );
  }
  return r;
}
