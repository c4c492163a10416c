import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
} from '@kubernetes/client-node';

export interface WatchedObjects<T extends KubernetesObject> {
  /** The objects as the watch last delivered them. */
  list(): readonly T[];
  /** Watch errors seen (each followed by a restart); the observation may have gaps around them. */
  errors(): readonly string[];
  stop(): Promise<void>;
}

export interface WatchObjectsOptions<T extends KubernetesObject> {
  readonly labelSelector?: string;
  /** Every add, update and delete, as it arrives (after the cache took it). */
  readonly onEvent?: (verb: 'add' | 'update' | 'delete', object: T) => void;
}

/**
 * One list, then a watch (client-node's informer): events arrive as the API server sends them,
 * nothing polls. A watch that fails is restarted after a second (the informer itself only
 * reconnects on timeouts); the error is kept, because whoever judges the observation must know
 * it may have a gap. Resolves once the first list is in; rejects when that list fails.
 */
export async function watchObjects<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
  options: WatchObjectsOptions<T> = {},
): Promise<WatchedObjects<T>> {
  const informer = makeInformer<T>(kc, path, list, options.labelSelector);
  const errors: string[] = [];
  let stopped = false;
  let started = false;
  let restart: NodeJS.Timeout | undefined;
  informer.on('error', (error: unknown) => {
    errors.push(error instanceof Error ? error.message : String(error));
    if (!started || stopped || restart !== undefined) return;
    restart = setTimeout(() => {
      restart = undefined;
      if (!stopped) informer.start().catch(() => undefined);
    }, 1_000);
  });
  for (const verb of ['add', 'update', 'delete'] as const) {
    informer.on(verb, (object: T) => options.onEvent?.(verb, object));
  }
  await informer.start();
  started = true;
  return {
    list: () => informer.list(),
    errors: () => [...errors],
    async stop() {
      stopped = true;
      if (restart !== undefined) clearTimeout(restart);
      await informer.stop();
    },
  };
}

/**
 * Watches until `check` returns a value for the current objects, or `timeoutMs` passes
 * (then `undefined`). `check` runs on the first list and after every event.
 */
export async function watchUntil<T extends KubernetesObject, R>(
  kc: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
  check: (objects: readonly T[]) => R | undefined,
  options: { readonly labelSelector?: string; readonly timeoutMs: number },
): Promise<R | undefined> {
  let settle: (value: R | undefined) => void = () => undefined;
  const settled = new Promise<R | undefined>((resolve) => {
    settle = resolve;
  });
  let watched: WatchedObjects<T> | undefined;
  const evaluate = (): void => {
    if (watched === undefined) return;
    const value = check(watched.list());
    if (value !== undefined) settle(value);
  };
  watched = await watchObjects<T>(kc, path, list, {
    ...(options.labelSelector === undefined ? {} : { labelSelector: options.labelSelector }),
    onEvent: () => evaluate(),
  });
  evaluate();
  const timer = setTimeout(() => settle(undefined), options.timeoutMs);
  try {
    return await settled;
  } finally {
    clearTimeout(timer);
    await watched.stop();
  }
}
