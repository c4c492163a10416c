// Errors of the sandbox's AWS side (moto emulator, recorded account state, fault hooks). Kept
// apart from sandbox-errors.ts, which the Kubernetes side owns.

/** A recording of the AWS account state is missing, unreadable or not in the expected format. */
export class AwsStateRecordingError extends Error {
  readonly code = 'AWS_STATE_RECORDING_INVALID';
  readonly file: string;

  constructor(file: string, reason: string) {
    super(
      `cannot use the AWS state recording ${file}: ${reason}. ` +
        `Regenerate it with 'pnpm --filter @stackproof/sandbox aws-state:record' (IaC tier needed).`,
    );
    this.name = 'AwsStateRecordingError';
    this.file = file;
  }
}

/** Replaying a recording into the emulator did not reproduce the recorded account state. */
export class AwsStateRestoreError extends Error {
  readonly code = 'AWS_STATE_RESTORE_FAILED';
  readonly endpoint: string;

  constructor(endpoint: string, reason: string) {
    super(`restoring the AWS state into ${endpoint} failed: ${reason}`);
    this.name = 'AwsStateRestoreError';
    this.endpoint = endpoint;
  }
}

/** Why a recording could not be made. */
export type AwsStateRecordFailure =
  /** OpenTofu or the hashicorp/aws provider is not available (the IaC tier is not built). */
  | 'iac-tier-missing'
  /** A workspace named does not exist. */
  | 'bad-input'
  /** `tofu init/apply/output/plan` failed in a workspace. */
  | 'tofu-failed'
  /** The recording does not replay into a fresh moto as the original account. */
  | 'replay-diverged';

/** Recording the AWS state by applying terraform/aws failed or is not possible here. */
export class AwsStateRecordError extends Error {
  readonly code = 'AWS_STATE_RECORD_FAILED';
  readonly failure: AwsStateRecordFailure;
  /** The workspace being applied when it failed, when there was one. */
  readonly workspace: string | undefined;

  constructor(failure: AwsStateRecordFailure, reason: string, workspace?: string) {
    super(
      workspace === undefined
        ? `cannot record the AWS state: ${reason}`
        : `cannot record the AWS state (workspace ${workspace}): ${reason}`,
    );
    this.name = 'AwsStateRecordError';
    this.failure = failure;
    this.workspace = workspace;
  }
}

/** A fault hook found nothing to act on (no subnets or instances in the zone, no such database). */
export class AwsFaultTargetError extends Error {
  readonly code = 'AWS_FAULT_NO_TARGET';

  constructor(fault: string, reason: string) {
    super(`${fault}: ${reason}`);
    this.name = 'AwsFaultTargetError';
  }
}

/**
 * A fault hook refused to inject because the result could not be rolled back exactly (already
 * injected, a NACL shared with subnets outside the zone, a deny rule number in use, a database
 * that is not Multi-AZ).
 */
export class AwsFaultConflictError extends Error {
  readonly code = 'AWS_FAULT_CONFLICT';

  constructor(fault: string, reason: string) {
    super(`${fault}: ${reason}`);
    this.name = 'AwsFaultConflictError';
  }
}

/** A rollback could not restore what was there before the fault (the rest was restored). */
export class AwsFaultRollbackError extends Error {
  readonly code = 'AWS_FAULT_ROLLBACK_FAILED';

  constructor(fault: string, reason: string) {
    super(`rolling back ${fault} failed: ${reason}`);
    this.name = 'AwsFaultRollbackError';
  }
}
