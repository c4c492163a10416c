export type IacErrorCode =
  | 'FIXTURE_LIST_UNREADABLE'
  | 'FIXTURE_LIST_INVALID'
  | 'MANIFEST_UNREADABLE'
  | 'MANIFEST_INVALID'
  | 'IAC_TIER_MISSING'
  | 'MOTO_START_FAILED'
  | 'TOFU_FAILED';

/** Every failure of this package: a code for programs, a message that says what to do. */
export class IacError extends Error {
  readonly code: IacErrorCode;

  constructor(code: IacErrorCode, message: string) {
    super(message);
    this.name = 'IacError';
    this.code = code;
  }
}
