import { type ErrorKind, StackproofError } from '@stackproof/core';

/** Starting, finding or stopping the sandbox failed. */
export class SandboxLifecycleError extends StackproofError {
  declare readonly code:
    | 'SANDBOX_START_FAILED'
    | 'SANDBOX_NOT_RUNNING'
    | 'SANDBOX_STOP_FAILED'
    | 'SANDBOX_CONTROL_FAILED';
  constructor(code: SandboxLifecycleError['code'], message: string) {
    // Not running is the user's to fix (start it); a start or stop that fails is the machine's.
    super(code, 'environment', message);
  }
}

/** A node or zone the sandbox does not have: the message lists the ones it has. */
export class SandboxTargetError extends StackproofError {
  declare readonly code: 'SANDBOX_UNKNOWN_NODE' | 'SANDBOX_UNKNOWN_ZONE';
  /** The names that would have been valid. */
  readonly valid: readonly string[];

  constructor(what: 'node' | 'zone', name: string, valid: readonly string[]) {
    super(
      what === 'node' ? 'SANDBOX_UNKNOWN_NODE' : 'SANDBOX_UNKNOWN_ZONE',
      'bad-input',
      `the sandbox has no ${what} '${name}'; its ${what}s: ${valid.join(', ')}`,
    );
    this.valid = valid;
  }
}

/** How the control API reports an error, so the client can raise the same error again. */
export interface ControlErrorBody {
  readonly error: {
    readonly code: string;
    readonly kind: ErrorKind;
    readonly message: string;
    /** With SANDBOX_UNKNOWN_NODE / SANDBOX_UNKNOWN_ZONE: the valid names. */
    readonly valid?: readonly string[];
  };
}
