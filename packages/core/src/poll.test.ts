import { describe, expect, it } from 'vitest';
import { pollUntil, WaitTimeoutError } from './index.ts';

/** A clock that only moves when the poller sleeps: the test takes no wall time. */
function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe('pollUntil', () => {
  it('returns the first defined value', async () => {
    let calls = 0;
    const value = await pollUntil(async () => (++calls === 3 ? 'ready' : undefined), {
      what: 'x',
      timeoutMs: 1000,
      ...fakeClock(),
    });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('times out naming what it waited for and the last error', async () => {
    const error = await pollUntil(
      async () => {
        throw new Error('ECONNREFUSED');
      },
      { what: 'the apiserver', timeoutMs: 1000, intervalMs: 100, ...fakeClock() },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(/the apiserver.*ECONNREFUSED/);
  });

  it('stops at once when abortIf says waiting cannot help', async () => {
    let calls = 0;
    await expect(
      pollUntil(async () => void calls++, {
        what: 'x',
        timeoutMs: 1000,
        abortIf: () => (calls >= 2 ? new Error('process exited') : undefined),
        ...fakeClock(),
      }),
    ).rejects.toThrow('process exited');
    expect(calls).toBe(2);
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted'));
    await expect(
      pollUntil(async () => undefined, { what: 'x', timeoutMs: 1000, signal: controller.signal }),
    ).rejects.toThrow('interrupted');
  });
});
