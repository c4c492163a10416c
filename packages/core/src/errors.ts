/**
 * What the user has to do about an error, which is all the CLI needs to know to pick an exit code:
 * - `bad-input`: change what was passed in (a file, a flag, a name);
 * - `environment`: fix the machine or the target (a tool missing, a server unreachable, a sandbox
 *   not running, expired credentials);
 * - `internal`: stackproof itself is broken (a bug, a corrupt bundle); report it.
 */
export type ErrorKind = 'bad-input' | 'environment' | 'internal';

export const ERROR_KINDS: readonly ErrorKind[] = ['bad-input', 'environment', 'internal'];

export interface StackproofErrorOptions {
  /** The error this one explains, kept for debugging; never printed by the CLI. */
  readonly cause?: unknown;
}

/**
 * The one base class of every error stackproof raises on purpose. `code` is stable (programs and
 * tests match on it), `kind` decides the exit code in the CLI, and the message says what to fix
 * in one line (details may follow on later lines). Packages subclass it to add fields
 * (`file`, `component`…); nobody maps subclasses to exit codes one by one.
 */
export class StackproofError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;

  constructor(
    code: string,
    kind: ErrorKind,
    message: string,
    options: StackproofErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = kind;
  }
}

/** Any stackproof error, also one thrown by another copy of this module (duck-typed on purpose). */
export function isStackproofError(error: unknown): error is StackproofError {
  if (error instanceof StackproofError) return true;
  if (!(error instanceof Error)) return false;
  const { code, kind } = error as { code?: unknown; kind?: unknown };
  return typeof code === 'string' && ERROR_KINDS.includes(kind as ErrorKind);
}

/** A required program is not installed or not where its variable points. */
export class ToolMissingError extends StackproofError {
  readonly tool: string;

  constructor(tool: string, howToFix: string) {
    super('TOOL_MISSING', 'environment', `${tool} not found: ${howToFix}`);
    this.tool = tool;
  }
}

/** A bounded wait ran out of time before its condition held. */
export class WaitTimeoutError extends StackproofError {
  readonly lastError: unknown;

  constructor(what: string, timeoutMs: number, lastError?: unknown) {
    const last =
      lastError === undefined
        ? ''
        : ` (last attempt: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
    super(
      'WAIT_TIMEOUT',
      'environment',
      `timed out after ${timeoutMs} ms waiting for ${what}${last}`,
    );
    this.lastError = lastError;
  }
}
