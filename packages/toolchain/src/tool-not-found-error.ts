/** Raised when a tool the suite needs is neither pointed to by its env var nor on PATH. */
export class ToolNotFoundError extends Error {
  readonly code = 'TOOL_NOT_FOUND';
  readonly tool: string;
  readonly envVar: string;

  constructor(tool: string, envVar: string, detail: string) {
    super(
      `${tool} not found (${detail}). Run 'make tools' and then '. ~/.cache/stackproof/env.sh', ` +
        `or set ${envVar} to an existing ${tool} binary.`,
    );
    this.name = 'ToolNotFoundError';
    this.tool = tool;
    this.envVar = envVar;
  }
}
