/** A reaction to changes: run it now, or once more right after the run in progress. */
export interface Reaction {
  /** Asks for a run; calls during a run coalesce into one more run after it. */
  kick(): void;
  /** Settles when no run is in progress. */
  idle(): Promise<void>;
  /** No run starts after this; one in progress finishes (see idle). */
  stop(): void;
}

/**
 * What watch events trigger: `run` never overlaps itself and no change is lost (a kick during a
 * run makes exactly one more run), however many events arrive at once. `onResult` gets the
 * error of each run, or undefined when it succeeded.
 */
export function reaction(run: () => Promise<void>, onResult: (error: unknown) => void): Reaction {
  let running: Promise<void> | undefined;
  let dirty = false;
  let stopped = false;
  return {
    kick() {
      if (stopped) return;
      if (running !== undefined) {
        dirty = true;
        return;
      }
      running = (async () => {
        do {
          dirty = false;
          try {
            await run();
            onResult(undefined);
          } catch (error) {
            onResult(error);
          }
        } while (dirty && !stopped);
      })().finally(() => {
        running = undefined;
      });
    },
    idle: async () => {
      await running;
    },
    stop() {
      stopped = true;
    },
  };
}
