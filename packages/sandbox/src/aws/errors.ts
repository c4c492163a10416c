import { StackproofError } from '@stackproof/core';
// Errors of the sandbox's AWS side: the recorded account state of the moto emulator.

/** A recording of the AWS account state is missing, unreadable or not in the expected format. */
export class AwsStateRecordingError extends StackproofError {
  readonly file: string;

  constructor(file: string, reason: string) {
    super(
      'AWS_STATE_RECORDING_INVALID',
      'bad-input',
      `cannot use the AWS state recording ${file}: ${reason}. ` +
        `Regenerate it with 'pnpm --filter @stackproof/sandbox aws-state:record' (IaC tier needed).`,
    );
    this.file = file;
  }
}

/** Replaying a recording into the emulator did not reproduce the recorded account state. */
export class AwsStateRestoreError extends StackproofError {
  readonly endpoint: string;

  constructor(endpoint: string, reason: string) {
    super(
      'AWS_STATE_RESTORE_FAILED',
      'environment',
      `restoring the AWS state into ${endpoint} failed: ${reason}`,
    );
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
export class AwsStateRecordError extends StackproofError {
  readonly failure: AwsStateRecordFailure;
  /** The workspace being applied when it failed, when there was one. */
  readonly workspace: string | undefined;

  constructor(failure: AwsStateRecordFailure, reason: string, workspace?: string) {
    super(
      'AWS_STATE_RECORD_FAILED',
      failure === 'bad-input' ? 'bad-input' : 'environment',
      workspace === undefined
        ? `cannot record the AWS state: ${reason}`
        : `cannot record the AWS state (workspace ${workspace}): ${reason}`,
    );
    this.failure = failure;
    this.workspace = workspace;
  }
}
