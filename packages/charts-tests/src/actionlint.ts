import { resolveTool, ToolNotFoundError } from '@stackproof/toolchain';
import { type CommandResult, runCommand } from './command-runner.ts';

/**
 * shellcheck checks the `run:` scripts when it is installed (Debian package `shellcheck`); it is
 * switched off explicitly otherwise, so actionlint never picks up some other binary by surprise.
 * pyflakes is always off: no workflow runs Python.
 */
function shellcheckArgs(): string[] {
  try {
    return [`-shellcheck=${resolveTool('shellcheck').path}`];
  } catch (error) {
    if (error instanceof ToolNotFoundError) return ['-shellcheck='];
    throw error;
  }
}

/** Runs actionlint (ACTIONLINT_BIN, then PATH) on workflow files. */
export function runActionlint(
  workflowFiles: readonly string[],
  cwd: string,
): Promise<CommandResult> {
  return runCommand(
    resolveTool('actionlint').path,
    ['-no-color', ...shellcheckArgs(), '-pyflakes=', ...workflowFiles],
    { cwd },
  );
}
