import { ToolMissingError } from '@stackproof/core';

/**
 * A tool the suite needs is neither pointed to by its env var nor on PATH (or the path given is
 * not an executable file). Core's ToolMissingError (an environment error) with the toolchain's
 * way to fix it.
 */
export class ToolNotFoundError extends ToolMissingError {
  readonly envVar: string;

  constructor(tool: string, envVar: string, detail: string) {
    super(
      tool,
      `${detail}; run 'make tools' and then '. ~/.cache/stackproof/env.sh', ` +
        `or set ${envVar} to an existing ${tool} binary`,
    );
    this.envVar = envVar;
  }
}
