import { fileURLToPath } from 'node:url';

/** Absolute path of a file under packages/policies/test-fixtures. */
export function fixture(relativePath: string): string {
  return fileURLToPath(new URL(relativePath, import.meta.url));
}
