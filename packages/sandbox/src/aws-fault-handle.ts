/**
 * What a fault hook returns: the record of what it changed (JSON, for the chaos journal) and the
 * rollback that restores exactly what was there.
 */
export interface AwsFaultHandle<R> {
  /** Which fault: `aws.az-nacl-isolation`, `aws.az-nacl-blackhole`, `aws.instances-stopped`. */
  readonly fault: string;
  readonly record: R;
  /**
   * Restores what the fault changed. Idempotent: once it has succeeded, further calls do nothing;
   * after a failure it may be called again (each step checks the current state first).
   */
  rollback(): Promise<void>;
}

/** Wraps an undo so that concurrent and repeated calls share one successful run. */
export function idempotentRollback(undo: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= undo().catch((error: unknown) => {
      done = undefined;
      throw error;
    });
    return done;
  };
}
