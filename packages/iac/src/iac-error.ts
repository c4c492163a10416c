import { type ErrorKind, StackproofError } from '@stackproof/core';
export type IacErrorCode =
  | 'FIXTURE_LIST_UNREADABLE'
  | 'FIXTURE_LIST_INVALID'
  | 'MANIFEST_UNREADABLE'
  | 'MANIFEST_INVALID'
  | 'IAC_TIER_MISSING'
  | 'TOFU_FAILED'
  | 'TFEVAL_FAILED'
  | 'SEED_FAILED';

const IAC_ERROR_KINDS: Readonly<Record<IacErrorCode, ErrorKind>> = {
  FIXTURE_LIST_UNREADABLE: 'bad-input',
  FIXTURE_LIST_INVALID: 'bad-input',
  MANIFEST_UNREADABLE: 'bad-input',
  MANIFEST_INVALID: 'bad-input',
  IAC_TIER_MISSING: 'environment',
  TOFU_FAILED: 'environment',
  TFEVAL_FAILED: 'environment',
  SEED_FAILED: 'environment',
};

/** Every failure of this package: a code for programs, a message that says what to do. */
export class IacError extends StackproofError {
  declare readonly code: IacErrorCode;

  constructor(code: IacErrorCode, message: string) {
    super(code, IAC_ERROR_KINDS[code], message);
  }
}
