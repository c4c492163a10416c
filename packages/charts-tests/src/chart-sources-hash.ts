import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * sha256 over every file of a chart (relative path and content, in sorted order): changes when
 * any template, value, schema or helper changes, so stale fixtures are detected.
 */
export async function chartSourcesSha256(chartDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listFiles(chartDir)) {
    hash.update(relative(chartDir, file).split(sep).join('/'));
    hash.update('\0');
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}
