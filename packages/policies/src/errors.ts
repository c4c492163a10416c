import { StackproofError } from '@stackproof/core';
/**
 * Every way the gate can refuse its input. Each error has a stable `code`; only the CLI entry turns
 * these codes into exit status 2 and a message, so library callers can react to them precisely.
 */
export type PolicyInputErrorCode =
  | 'INPUT_NOT_FOUND'
  | 'EMPTY_FILE'
  | 'INVALID_JSON'
  | 'TRUNCATED_JSON'
  | 'NOT_A_PLAN'
  | 'STATE_NOT_PLAN'
  | 'UI_STREAM_NOT_PLAN'
  | 'BINARY_PLAN'
  | 'UNSUPPORTED_FORMAT_VERSION'
  | 'UNSUPPORTED_ENCODING'
  | 'NESTED_TOO_DEEP'
  | 'INPUT_TOO_LARGE'
  | 'INVALID_YAML'
  | 'INVALID_MANIFEST'
  | 'INVALID_OBJECT'
  | 'NO_INPUTS'
  | 'UNSUPPORTED_INPUT';

export class PolicyInputError extends StackproofError {
  declare readonly code: PolicyInputErrorCode;
  readonly file: string;

  constructor(code: PolicyInputErrorCode, file: string, message: string) {
    super(code, 'bad-input', `${file}: ${message}`);
    this.file = file;
  }
}

/** The waiver file is unreadable or does not match its schema. */
export class WaiverFileError extends StackproofError {
  readonly file: string;
  readonly problems: readonly string[];

  constructor(file: string, problems: readonly string[]) {
    super(
      'INVALID_WAIVERS',
      'bad-input',
      `${file}: invalid waivers file:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.file = file;
    this.problems = problems;
  }
}

/** The compiled policy bundle is missing or does not behave as the contract says. */
export class PolicyBundleError extends StackproofError {
  constructor(message: string) {
    super('POLICY_BUNDLE', 'internal', message);
  }
}
