/**
 * One thread of an EvaluationPool (evaluation-pool.ts): its own instance of the compiled policy,
 * made on the first job with the memory the job asks for and reused for the next jobs (the SDK
 * writes each input at the same heap address), so each thread holds one wasm heap. It imports
 * only the SDK: the thread starts while the main thread reads the plan, and the main thread
 * checks the documents against the contract.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type LoadedPolicy, loadPolicy } from '@open-policy-agent/opa-wasm';
import type { PoolJob, PoolReply } from './evaluation-pool.ts';
import { ENTRYPOINT, mainDocument } from './wasm-result.ts';

const { module } = workerData as { module: object };
let instance: { policy: LoadedPolicy; pages: number } | undefined;

async function run(job: PoolJob): Promise<PoolReply> {
  let resultSet: unknown;
  try {
    if (instance === undefined || instance.pages < job.pages) {
      instance = undefined;
      const policy = await loadPolicy(module as never, { initial: job.pages });
      instance = { policy, pages: job.pages };
    }
    resultSet = instance.policy.evaluate(job.input, ENTRYPOINT);
  } catch (error) {
    // A trapped instance is not reused; the error is rebuilt on the main thread
    // (policy-bundle.ts evaluationError), which knows the input's file.
    instance = undefined;
    return {
      index: job.index,
      trap: {
        range: error instanceof RangeError,
        message: error instanceof Error ? error.message : String(error),
        text: String(error),
      },
    };
  }
  const document = mainDocument(resultSet);
  return document !== undefined
    ? { index: job.index, document }
    : { index: job.index, noDocument: true };
}

// One job at a time, in the order they came: a job queued behind an instance being made waits
// for it instead of making its own.
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (job: PoolJob) => {
  queue = queue.then(async () => parentPort?.postMessage(await run(job)));
});
