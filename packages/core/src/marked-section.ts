import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from './atomic-file.ts';

/**
 * Replaces what stands between `<!-- NAME:start -->` and `<!-- NAME:end -->` in a document (the
 * bench scripts' figures in docs/benchmarks.md and the ADRs), keeping both markers and everything
 * around them. A document without both markers, in that order, is an error: figures must never be
 * appended somewhere nobody reads them.
 */
export function replaceMarkedSection(document: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = document.indexOf(start);
  const j = document.indexOf(end);
  if (i < 0 || j < i) throw new Error(`no ${start} … ${end} markers`);
  const text = body.endsWith('\n') ? body : `${body}\n`;
  return `${document.slice(0, i + start.length)}\n${text}${document.slice(j)}`;
}

/** replaceMarkedSection on a file, written atomically; the error names the file. */
export async function updateMarkedSection(file: string, name: string, body: string): Promise<void> {
  const document = await readFile(file, 'utf8');
  let next: string;
  try {
    next = replaceMarkedSection(document, name, body);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  await writeFileAtomically(file, next);
}
