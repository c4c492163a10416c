import { resolveTool, runTool, ToolNotFoundError, type ToolResult } from '@stackproof/toolchain';

/** How actionlint ended (toolchain's ToolResult: exit code 1 means findings). */
export type ActionlintResult = ToolResult;

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

/** Runs actionlint (ACTIONLINT_BIN, then PATH) on workflow files; never throws on findings. */
export function runActionlint(
  workflowFiles: readonly string[],
  cwd: string,
): Promise<ActionlintResult> {
  return runTool(
    resolveTool('actionlint').path,
    ['-no-color', ...shellcheckArgs(), '-pyflakes=', ...workflowFiles],
    { cwd, timeoutMs: 120_000 },
  );
}
