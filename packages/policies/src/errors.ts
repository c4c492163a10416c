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
  | 'UNSUPPORTED_FORMAT_VERSION'
  | 'INVALID_YAML'
  | 'INVALID_MANIFEST'
  | 'NO_INPUTS'
  | 'UNSUPPORTED_INPUT';

export class PolicyInputError extends Error {
  readonly code: PolicyInputErrorCode;
  readonly file: string;

  constructor(code: PolicyInputErrorCode, file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'PolicyInputError';
    this.code = code;
    this.file = file;
  }
}

/** The waiver file is unreadable or does not match its schema. */
export class WaiverFileError extends Error {
  readonly code = 'INVALID_WAIVERS';
  readonly file: string;
  readonly problems: readonly string[];

  constructor(file: string, problems: readonly string[]) {
    super(`${file}: invalid waivers file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WaiverFileError';
    this.file = file;
    this.problems = problems;
  }
}

/** The compiled policy bundle is missing or does not behave as the contract says. */
export class PolicyBundleError extends Error {
  readonly code = 'POLICY_BUNDLE';

  constructor(message: string) {
    super(message);
    this.name = 'PolicyBundleError';
  }
}
