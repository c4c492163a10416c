import { describe, expect, it } from 'vitest';
import { isStackproofError, StackproofError, ToolMissingError, WaitTimeoutError } from './index.ts';

class SubError extends StackproofError {
  constructor() {
    super('SUB', 'environment', 'the thing is down; start it');
  }
}

describe('StackproofError', () => {
  it('carries a stable code, a kind and its subclass name', () => {
    const error = new SubError();
    expect(error.code).toBe('SUB');
    expect(error.kind).toBe('environment');
    expect(error.name).toBe('SubError');
    expect(error).toBeInstanceOf(Error);
    expect(isStackproofError(error)).toBe(true);
  });

  it('recognises an error shaped like one from another copy of core, and not a plain error', () => {
    const foreign = Object.assign(new Error('x'), { code: 'X', kind: 'bad-input' });
    expect(isStackproofError(foreign)).toBe(true);
    expect(isStackproofError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(isStackproofError(new Error('plain'))).toBe(false);
    expect(isStackproofError('a string')).toBe(false);
  });

  it('a missing tool is an environment error that says how to fix it', () => {
    const error = new ToolMissingError('k6', "run 'make tools'");
    expect(error.kind).toBe('environment');
    expect(error.message).toBe("k6 not found: run 'make tools'");
  });

  it('a timeout names what was awaited and the last attempt', () => {
    const error = new WaitTimeoutError('the apiserver', 500, new Error('ECONNREFUSED'));
    expect(error.message).toBe(
      'timed out after 500 ms waiting for the apiserver (last attempt: ECONNREFUSED)',
    );
  });
});
