import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_REGO_DIR = fileURLToPath(new URL('../rego', import.meta.url));
export const DEFAULT_SOURCES_HASH_FILE = fileURLToPath(
  new URL('../bundle/sources.sha256', import.meta.url),
);

async function regoFiles(dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await regoFiles(path, out);
    else if (entry.isFile() && entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
      out.push(path);
    }
  }
}

/**
 * The fingerprint scripts/build-wasm.sh writes to bundle/sources.sha256 (policy contract): sha256
 * over the lines `<sha256 of file>  <posix path relative to the rego dir>\n`, sorted by path, of
 * every non-test .rego file. A mismatch means the committed bundle was built from other sources.
 */
export async function computeRegoSourcesHash(regoDir: string = DEFAULT_REGO_DIR): Promise<string> {
  const files: string[] = [];
  await regoFiles(regoDir, files);
  const lines: { path: string; line: string }[] = [];
  for (const file of files) {
    const path = relative(regoDir, file).split(sep).join('/');
    const digest = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
    lines.push({ path, line: `${digest}  ${path}\n` });
  }
  lines.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return createHash('sha256')
    .update(lines.map((l) => l.line).join(''))
    .digest('hex');
}

/** The hash recorded when the bundle was built (first token of bundle/sources.sha256). */
export async function readRecordedSourcesHash(
  file: string = DEFAULT_SOURCES_HASH_FILE,
): Promise<string> {
  const text = await readFile(file, 'utf8');
  return text.trim().split(/\s+/)[0] ?? '';
}
