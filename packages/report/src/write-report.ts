import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes a report file completely or not at all (temp file + rename in the same directory), so a
 * run interrupted while writing never leaves a truncated `junit.xml` that CI would read as valid.
 */
export async function writeReportFile(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}
