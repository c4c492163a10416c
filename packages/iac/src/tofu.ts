import { existsSync } from 'node:fs';
import { outputTail, runTool, type ToolResult } from '@stackproof/toolchain';
import { IacError } from './iac-error.ts';

export interface TofuOptions {
  readonly cwd: string;
  /** Added to the process environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Default 10 min. */
  readonly timeoutMs?: number;
}

/** The environment OpenTofu runs with: no colour, no prompts, automation mode. */
function tofuEnv(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...extra,
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
  return env;
}

/** Runs OpenTofu (toolchain's runTool) without colour or prompts; a non-zero exit is a result. */
export function runTofu(
  tofuPath: string,
  args: readonly string[],
  options: TofuOptions,
): Promise<ToolResult> {
  return runTool(tofuPath, args, {
    cwd: options.cwd,
    env: tofuEnv(options.env),
    timeoutMs: options.timeoutMs ?? 600_000,
    // `tofu show -json` of a large plan is hundreds of MB; nothing of it may be cut.
    maxOutputChars: 256 * 1024 * 1024,
  });
}

/** Like runTofu, but a failure is an IacError carrying the tail of OpenTofu's output. */
export async function runTofuOrThrow(
  tofuPath: string,
  args: readonly string[],
  options: TofuOptions,
): Promise<ToolResult> {
  const r = await runTofu(tofuPath, args, options);
  if (r.exitCode !== 0 || r.timedOut) {
    const how = r.timedOut ? 'timed out' : `exit ${r.exitCode ?? r.signal}`;
    throw new IacError(
      'TOFU_FAILED',
      `tofu ${args.join(' ')} failed in ${options.cwd} (${how}):\n${outputTail(r)}`,
    );
  }
  return r;
}
