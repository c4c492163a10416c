import { setTimeout as delay } from 'node:timers/promises';
import { WaitTimeoutError } from './errors.ts';

export interface PollOptions {
  /** What is awaited, for the timeout message ("kube-apiserver /readyz"). */
  readonly what: string;
  /** Upper bound for the whole wait. */
  readonly timeoutMs: number;
  /** Pause between attempts (default 100 ms). */
  readonly intervalMs?: number;
  /**
   * Checked before every attempt: returning an error ends the wait at once with it (for example
   * the process being waited for has exited, so waiting longer cannot help).
   */
  readonly abortIf?: () => Error | undefined;
  /** Ends the wait with the signal's reason (a run being interrupted). */
  readonly signal?: AbortSignal;
  /** Injectable clock for tests of the poller itself. */
  readonly now?: () => number;
  /** Injectable pause for tests of the poller itself. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>;
}

/**
 * Calls `attempt` until it returns a value other than `undefined`, at most `timeoutMs` long.
 * An attempt that throws counts as "not yet" and its error is reported if time runs out, so a
 * readiness probe can simply let connection errors propagate. Use it where nothing can be
 * watched (a process's port, an HTTP health endpoint); watch Kubernetes objects instead.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T | undefined>,
  options: PollOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const intervalMs = options.intervalMs ?? 100;
  const deadline = now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
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
    await sleep(Math.min(intervalMs, remaining), options.signal);
  }
}
