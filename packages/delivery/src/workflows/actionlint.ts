import { execFile } from 'node:child_process';
import { resolveTool, ToolNotFoundError } from '@stackproof/toolchain';

export interface ActionlintResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

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
  const args = ['-no-color', ...shellcheckArgs(), '-pyflakes=', ...workflowFiles];
  return new Promise((resolve, reject) => {
    execFile(
      resolveTool('actionlint').path,
      args,
      { cwd, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ exitCode: error === null ? 0 : (error.code as number), stdout, stderr });
      },
    );
  });
}
