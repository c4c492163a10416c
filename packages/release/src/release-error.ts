import { type ErrorKind, StackproofError } from '@stackproof/core';

export type ReleaseErrorCode =
  | 'RELEASE_INPUT_INVALID'
  | 'CHART_RENDER_FAILED'
  | 'HELM_FAILED'
  | 'CLUSTER_UNREACHABLE'
  | 'DEPLOYMENT_NOT_FOUND'
  | 'DATABASE_UNREACHABLE'
  | 'PROOF_PRECONDITION';

const KINDS: Readonly<Record<ReleaseErrorCode, ErrorKind>> = {
  RELEASE_INPUT_INVALID: 'bad-input',
  // The chart or its values do not render (a schema violation names the value).
  CHART_RENDER_FAILED: 'bad-input',
  HELM_FAILED: 'environment',
  CLUSTER_UNREACHABLE: 'environment',
  DEPLOYMENT_NOT_FOUND: 'environment',
  DATABASE_UNREACHABLE: 'environment',
  // The target is not in a state the proof can start from (a release in progress, no schema).
  PROOF_PRECONDITION: 'environment',
};

/**
 * Every failure of the release package: a stable code and a message that says what to fix. A
 * release that fails (a migration that fails, a rollout rolled back) is an outcome, not an error.
 */
export class ReleaseError extends StackproofError {
  declare readonly code: ReleaseErrorCode;

  constructor(code: ReleaseErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, KINDS[code], message, options);
  }
}
