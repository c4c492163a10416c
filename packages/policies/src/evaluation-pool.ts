import { Worker } from 'node:worker_threads';
import { PolicyBundleError } from './errors.ts';

/** One evaluation sent to a thread: the input's JSON as UTF-8 bytes (transferred, not copied). */
export interface PoolJob {
  readonly index: number;
  readonly input: ArrayBuffer;
  /** Wasm pages the thread's instance needs (sized for the run's largest input). */
  readonly pages: number;
}

/** A thread's answer: the `stackproof/main` document, or what went wrong. */
export type PoolReply =
  | { readonly index: number; readonly document: Record<string, unknown> }
  | {
      readonly index: number;
      readonly trap: { readonly range: boolean; readonly message: string; readonly text: string };
    }
  | { readonly index: number; readonly noDocument: true };

export interface PoolRun {
  readonly pages: number;
  readonly count: number;
  /** The JSON text of input `index`, asked for when a thread is about to need it. */
  readonly input: (index: number) => string;
  /** Called for every evaluation, in input order whatever order the threads finish in. */
  readonly onDocument: (index: number, document: Record<string, unknown>) => void;
  /** The error a thread's trap means (see policy-bundle.ts evaluationError). */
  readonly trapError: (trap: RangeError | string, inputBytes: number) => Error;
  /**
   * Evaluates one input on the calling thread, which then takes jobs like a pool thread between
   * handling the threads' answers (one isolate and heap fewer than a thread of its own).
   */
  readonly local?: (json: string) => Promise<Record<string, unknown>>;
}

// Jobs queued per thread: one running and one waiting, so a thread never waits for this thread
// to serialise its next input, and at most two inputs per thread are in memory.
const JOBS_PER_THREAD = 2;

const WORKER_URL = new URL('./evaluation-worker.ts', import.meta.url);

/**
 * Worker threads that evaluate the same compiled policy, each with its own wasm instance (the
 * wasm evaluation is single-threaded and most of a large plan's CPU time). Runs one batch at a
 * time; the first failure of a batch stops it and is thrown.
 */
export class EvaluationPool {
  readonly threads: number;
  readonly #workers: Worker[];
  #closed = false;

  constructor(module: object, threads: number) {
    this.threads = threads;
    // A WebAssembly.Module is shared with the threads, not recompiled in each.
    this.#workers = Array.from(
      { length: threads },
      () =>
        new Worker(WORKER_URL, {
          workerData: { module },
          // The thread's JS holds one result document at a time: a small young generation
          // keeps its heap from growing for garbage (its wasm memory is not in this limit).
          resourceLimits: { maxYoungGenerationSizeMb: 8 },
        }),
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  async run(run: PoolRun): Promise<void> {
    if (this.#closed) throw new PolicyBundleError('the evaluation threads were already stopped');
    const inputBytes = new Map<number, number>();
    const done = new Map<number, Record<string, unknown>>();
    let sent = 0;
    let delivered = 0;
    const listeners: (() => void)[] = [];
    let stopped = false;
    try {
      await new Promise<void>((resolve, reject) => {
        const send = (worker: Worker): void => {
          if (sent >= run.count) return;
          const index = sent++;
          const bytes = new TextEncoder().encode(run.input(index));
          inputBytes.set(index, bytes.byteLength);
          const job: PoolJob = { index, input: bytes.buffer as ArrayBuffer, pages: run.pages };
          worker.postMessage(job, [job.input]);
        };
        const onReply = (worker: Worker, reply: PoolReply): void => {
          if ('trap' in reply) {
            const trap = reply.trap.range ? new RangeError(reply.trap.message) : reply.trap.text;
            throw run.trapError(trap, inputBytes.get(reply.index) ?? 0);
          }
          if ('noDocument' in reply) {
            throw new PolicyBundleError(
              'stackproof/main returned no { results, rules } document (the bundle is broken or stale)',
            );
          }
          deliver(reply.index, reply.document);
          send(worker);
        };
        const deliver = (index: number, document: Record<string, unknown>): void => {
          done.set(index, document);
          while (done.has(delivered)) {
            const next = done.get(delivered) as Record<string, unknown>;
            done.delete(delivered);
            inputBytes.delete(delivered);
            run.onDocument(delivered++, next);
          }
          if (delivered === run.count) resolve();
        };
        const local = run.local;
        const evaluateLocally = async (): Promise<void> => {
          if (local === undefined) return;
          while (sent < run.count && !stopped) {
            const index = sent++;
            deliver(index, await local(run.input(index)));
            // Lets the threads' answers in, and feeds the threads, between two local jobs.
            await new Promise((next) => setImmediate(next));
          }
        };
        for (const worker of this.#workers) {
          const onMessage = (reply: PoolReply): void => {
            try {
              onReply(worker, reply);
            } catch (error) {
              reject(error);
            }
          };
          const onError = (error: Error): void =>
            reject(new PolicyBundleError(`policy evaluation thread failed: ${String(error)}`));
          const onExit = (code: number): void =>
            reject(new PolicyBundleError(`policy evaluation thread exited (code ${code})`));
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.on('exit', onExit);
          listeners.push(() => {
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onExit);
          });
        }
        for (let i = 0; i < JOBS_PER_THREAD; i++) {
          for (const worker of this.#workers) send(worker);
        }
        evaluateLocally().catch(reject);
      });
    } catch (error) {
      stopped = true;
      // Jobs still queued in the threads would answer into the next batch: stop them.
      await this.close();
      throw error;
    } finally {
      for (const remove of listeners) remove();
    }
  }

  /** Stops the threads; their wasm memories (most of the gate's memory) go with them. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}
