import { type ErrorKind, StackproofError } from '@stackproof/core';

export type DeliveryErrorCode =
  | 'WORKSPACES_INVALID'
  | 'UNKNOWN_WORKSPACE'
  | 'UPSTREAM_NOT_APPLIED'
  | 'OUTPUTS_INVALID'
  | 'BACKEND_SETTINGS_INVALID'
  | 'WORKFLOW_UNREADABLE'
  | 'CHECKOV_FAILED';

const KINDS: Readonly<Record<DeliveryErrorCode, ErrorKind>> = {
  WORKSPACES_INVALID: 'bad-input',
  UNKNOWN_WORKSPACE: 'bad-input',
  // The upstream workspace exists but has not been applied in that account yet: fix the target.
  UPSTREAM_NOT_APPLIED: 'environment',
  OUTPUTS_INVALID: 'bad-input',
  BACKEND_SETTINGS_INVALID: 'bad-input',
  WORKFLOW_UNREADABLE: 'bad-input',
  CHECKOV_FAILED: 'environment',
};

/** Every failure of this package: a stable code and a message that says what to fix. */
export class DeliveryError extends StackproofError {
  declare readonly code: DeliveryErrorCode;

  constructor(code: DeliveryErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, KINDS[code], message, options);
  }
}
