import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pollUntil, StackproofError } from '@stackproof/core';
import {
  K6RunError,
  type LoadExpectations,
  ProgressTailer,
  prepareRun,
  readK6Output,
  runK6,
  TimelineBuilder,
  type TimelinePoint,
} from '@stackproof/load';

export interface SteadyLoadOptions {
  /** Base URL of the stack's entry point (the sandbox's frontend route, staging's URL). */
  readonly url: string;
  readonly path: string;
  readonly rate: number;
  readonly p95Ms: number;
  /** The error budget k6's own threshold judges (the run's verdict is chaos's, not k6's). */
  readonly errorBudget: number;
  /** The phase tag of every request: the experiment's name. */
  readonly phase: string;
  /** Longest the load may run; it is stopped earlier when the experiment ends. */
  readonly maxSeconds: number;
  /** The load package's expectations (health path and the rest of the steady scenario). */
  readonly expectations: LoadExpectations;
  /** Where k6's raw samples go (`k6-raw.json.gz` once stopped). */
  readonly outDir: string;
  readonly k6Path?: string;
}

/** k6 answered its setup() with an error: the target is down before any fault. */
export class SteadyLoadError extends StackproofError {
  constructor(message: string) {
    super('CHAOS_STEADY_LOAD_FAILED', 'environment', message);
  }
}

// Only the tags the timeline reads, as `stackproof load run` keeps them.
const SYSTEM_TAGS = 'status,method,scenario,expected_response,error_code';

/**
 * The steady-state probe: load's `steady` k6 scenario against the entry point for as long as the
 * experiment lasts, its samples streamed to a file that is followed live (requests and failures
 * so far, for the error budget) and read back per second at the end, on the same clock as every
 * other series of the run. Stopping it sends k6 SIGTERM; k6 writes what it has and exits, which
 * is expected here, not a failure.
 */
export class SteadyLoad {
  readonly #raw: string;
  readonly #tailer: ProgressTailer;
  readonly #abort: AbortController;
  readonly #run: Promise<unknown>;
  readonly #phase: string;
  readonly #planPhases: Parameters<TimelineBuilder['build']>[0];
  #failure: unknown;

  private constructor(
    raw: string,
    run: Promise<unknown>,
    abort: AbortController,
    phase: string,
    plan: Parameters<TimelineBuilder['build']>[0],
  ) {
    this.#raw = raw;
    this.#run = run.catch((error: unknown) => {
      this.#failure = error;
    });
    this.#abort = abort;
    this.#phase = phase;
    this.#planPhases = plan;
    this.#tailer = new ProgressTailer([raw], [phase]);
  }

  /** Starts k6 and resolves once its first requests are recorded (setup() passed). */
  static async start(options: SteadyLoadOptions): Promise<SteadyLoad> {
    await mkdir(options.outDir, { recursive: true });
    const raw = join(options.outDir, 'k6-raw.json');
    await rm(raw, { force: true });
    const { runPlan, script, k6Path } = await prepareRun({
      scenario: 'steady',
      target: options.url,
      expectations: options.expectations,
      overrides: {
        rate: options.rate,
        durationSeconds: Math.ceil(options.maxSeconds),
        p95Ms: options.p95Ms,
        errorBudget: options.errorBudget,
        path: options.path,
        phaseName: options.phase,
      },
      outDir: options.outDir,
      ...(options.k6Path === undefined ? {} : { k6Path: options.k6Path }),
    });
    const abort = new AbortController();
    const run = runK6({
      script,
      k6Path,
      scriptEnv: runPlan.scriptEnv,
      extraArgs: ['--out', `json=${raw}`, '--system-tags', SYSTEM_TAGS],
      timeoutMs: (options.maxSeconds + 120) * 1000,
      signal: abort.signal,
    });
    const load = new SteadyLoad(raw, run, abort, options.phase, runPlan.plan);
    await pollUntil(
      async () => {
        if (load.#failure !== undefined) throw load.#failure;
        await load.#tailer.poll();
        return load.counts().requests > 0 ? true : undefined;
      },
      {
        what: `the steady load on ${options.url}${options.path} to send its first requests`,
        timeoutMs: 90_000,
        intervalMs: 250,
        abortIf: () =>
          load.#failure === undefined
            ? undefined
            : new SteadyLoadError(
                `the steady load could not start against ${options.url}: ${(load.#failure as Error).message}`,
              ),
      },
    ).catch(async (error: unknown) => {
      await load.stop().catch(() => undefined);
      throw error;
    });
    return load;
  }

  /** Requests and failures recorded so far (follows k6's output file). */
  counts(): { requests: number; failed: number } {
    const snapshot = this.#tailer.snapshot(Date.now(), 0);
    return { requests: snapshot?.requests ?? 0, failed: snapshot?.failed ?? 0 };
  }

  /** Reads what k6 appended since the last call. */
  async poll(): Promise<{ requests: number; failed: number }> {
    await this.#tailer.poll();
    return this.counts();
  }

  /**
   * Stops k6 (SIGTERM; it writes its last samples) and returns the load per second. A k6 that
   * failed on its own (not stopped here) is an error.
   */
  async stop(): Promise<{ points: TimelinePoint[]; rawFile: string }> {
    this.#abort.abort();
    await this.#run;
    if (this.#failure !== undefined && !(this.#failure instanceof K6RunError)) throw this.#failure;
    const builder = new TimelineBuilder([this.#phase]);
    await readK6Output(this.#raw, builder).catch(() => undefined);
    const { points } = builder.build(this.#planPhases);
    const gz = `${this.#raw}.gz`;
    await pipeline(createReadStream(this.#raw), createGzip({ level: 6 }), createWriteStream(gz))
      .then(() => rm(this.#raw, { force: true }))
      .catch(() => undefined);
    return { points: [...points], rawFile: gz };
  }
}
