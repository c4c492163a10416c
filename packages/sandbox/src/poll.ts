import { setTimeout as delay } from 'node:timers/promises';
import { WaitTimeoutError } from './sandbox-errors.ts';

export interface PollOptions {
  /** What is awaited, for the timeout message ("kube-apiserver /readyz"). */
  readonly what: string;
  /** Upper bound for the whole wait. */
  readonly timeoutMs: number;
  /** Pause between attempts. */
  readonly intervalMs?: number;
  /**
   * Checked before every attempt: returning an error ends the wait at once with it (for example
   * the process being waited for has exited, so waiting longer cannot help).
   */
  readonly abortIf?: () => Error | undefined;
  /** Injectable clock for tests of the poller itself. */
  readonly now?: () => number;
}

/**
 * Calls `attempt` until it returns a value other than `undefined`, at most `timeoutMs` long.
 * An attempt that throws counts as "not yet" and its error is reported if time runs out, so a
 * readiness probe can simply let connection errors propagate.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T | undefined>,
  options: PollOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const abort = options.abortIf?.();
    if (abort !== undefined) throw abort;
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    const remaining = deadline - now();
    if (remaining <= 0) throw new WaitTimeoutError(options.what, options.timeoutMs, lastError);
    await delay(Math.min(intervalMs, remaining));
  }
}
