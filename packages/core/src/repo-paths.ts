import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The stackproof checkout the packages run from: they run from source (Node strips the types), so
 * the reference stack's files (terraform/, charts/, services/) are found relative to this file.
 * Every package asks here instead of counting `..` from its own location.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A path inside the checkout: `repoPath('charts', 'stackproof-workloads')`. */
export function repoPath(...segments: string[]): string {
  return join(REPO_ROOT, ...segments);
}
