import { StackproofError } from '@stackproof/core';
/** The command line itself is wrong (unknown option, missing target, bad value). */
export class UsageError extends StackproofError {
  constructor(message: string) {
    super('USAGE', 'bad-input', message);
  }
}
