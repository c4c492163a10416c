import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
} from '@kubernetes/client-node';

export interface WatchOptions {
  /** Only objects with these labels (a label selector, sent with the list and the watch). */
  readonly labelSelector?: string;
  /** Called after every add, update and delete the watch delivers, and on every resync. */
  readonly onChange: () => void;
  /**
   * How often onChange runs without an event (default 30 s), so that a reaction that failed
   * (a patch the apiserver refused) is tried again from the cache, as client-go's resync does.
   */
  readonly resyncMs?: number;
  /** First pause before restarting a watch that failed; doubles up to 30 s. Default 1 s. */
  readonly restartDelayMs?: number;
}

/** A list kept current by a watch: read it any time, without asking the apiserver. */
export interface WatchedList<T extends KubernetesObject> {
  list(): readonly T[];
  /** The error of the last failed watch or list (it is being restarted), until an event arrives. */
  lastError(): string | undefined;
  stop(): Promise<void>;
}

const MAX_RESTART_DELAY_MS = 30_000;

/**
 * List + watch of one resource with `@kubernetes/client-node`'s informer: the cache is filled by
 * one list and kept current by a watch, so a change is seen as it happens and nothing polls the
 * apiserver. client-node's informer reconnects a watch that times out (and re-lists after a 410),
 * but stops on any other error; this restarts it with a doubling delay, keeping the last known
 * cache meanwhile. Resolves once the first list is in the cache; rejects when that first list
 * fails (the apiserver is not there, or refuses), so a component never starts blind.
 */
export async function watchList<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
  options: WatchOptions,
): Promise<WatchedList<T>> {
  let listed = false;
  const informer = makeInformer<T>(
    kubeConfig,
    path,
    async () => {
      const result = await list();
      listed = true;
      return result;
    },
    options.labelSelector,
  );
  const baseDelay = options.restartDelayMs ?? 1_000;
  let stopped = false;
  let startError: unknown;
  let lastError: string | undefined;
  let delay = baseDelay;
  let restartTimer: NodeJS.Timeout | undefined;

  const restart = (): void => {
    if (stopped || restartTimer !== undefined) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopped) return;
      informer.start().catch(onError);
    }, delay);
    delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
  };
  function onError(error: unknown): void {
    lastError = error instanceof Error ? error.message : String(error);
    // Without a first list there is nothing to serve: the start fails. Once the cache is filled,
    // a failing watch is restarted and the cache serves meanwhile.
    if (!listed) {
      startError ??= error;
      return;
    }
    restart();
  }
  informer.on('error', onError);
  for (const verb of ['add', 'update', 'delete'] as const) {
    informer.on(verb, () => {
      // An event means the watch works again: the next failure starts from the short delay.
      delay = baseDelay;
      lastError = undefined;
      options.onChange();
    });
  }

  await informer.start().catch(onError);
  if (startError !== undefined) {
    await informer.stop();
    throw startError;
  }
  const resync = setInterval(() => options.onChange(), options.resyncMs ?? 30_000);
  return {
    list: () => informer.list(),
    lastError: () => lastError,
    async stop() {
      stopped = true;
      clearInterval(resync);
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
