import { fileURLToPath } from 'node:url';

/** The stackproof checkout this package runs from (the sandbox runs its source tree). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
