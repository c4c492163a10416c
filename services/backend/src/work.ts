import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

export interface WorkResult {
  iterations: number;
  /** Hex digest, so the work cannot be optimised away and a client can check it. */
  digest: string;
}

/**
 * Burns CPU in proportion to `iterations`: PBKDF2-HMAC-SHA256 rounds. It runs on libuv's thread
 * pool, so the event loop keeps serving probes while the CPU (what the HPA measures) is busy.
 */
export async function doWork(iterations: number, seed: string): Promise<WorkResult> {
  const key = await pbkdf2Async(seed, 'stackproof', iterations, 32, 'sha256');
  return { iterations, digest: key.toString('hex') };
}
