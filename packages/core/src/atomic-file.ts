import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes a file completely or not at all: a temp file in the same directory (so the rename cannot
 * cross file systems), then a rename over the target. A run interrupted while writing never leaves
 * a truncated `junit.xml` or outputs document that CI or the next run would read as valid. The
 * directory is created when missing.
 */
export async function writeFileAtomically(
  file: string,
  content: string | Uint8Array,
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}
