import { StackproofError } from '@stackproof/core';
/** Raised when a tool the suite needs is neither pointed to by its env var nor on PATH. */
export class ToolNotFoundError extends StackproofError {
  readonly tool: string;
  readonly envVar: string;

  constructor(tool: string, envVar: string, detail: string) {
    super(
      'TOOL_NOT_FOUND',
      'environment',
      `${tool} not found (${detail}). Run 'make tools' and then '. ~/.cache/stackproof/env.sh', ` +
        `or set ${envVar} to an existing ${tool} binary.`,
    );
    this.tool = tool;
    this.envVar = envVar;
  }
}
