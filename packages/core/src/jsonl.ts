import { open, readFile } from 'node:fs/promises';
import { StackproofError } from './errors.ts';

/** A line in the middle of a JSON-lines file is not JSON and is not a torn write. */
export class JsonLinesCorruptError extends StackproofError {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, reason: string) {
    super(
      'JSONL_CORRUPT',
      'bad-input',
      `${file} line ${line}: ${reason}; the file was edited or damaged: fix or move it, then re-run`,
    );
    this.file = file;
    this.line = line;
  }
}

export interface JsonLines<T> {
  readonly records: T[];
  /** 1-based numbers of lines that a crash cut short (written in part, never completed). */
  readonly tornLines: number[];
}

/**
 * Whether `text` failed to parse only because it stops early: the prefix of a JSON value that a
 * crash cut off mid-write. Every parse error of a truncated object is the parser running out of
 * input (`Unexpected end of JSON input`, or an error at the position just past the last byte);
 * garbage or a value with trailing bytes fails earlier, at a character the parser did read.
 */
function isTornWrite(text: string): boolean {
  if (!text.startsWith('{') && !text.startsWith('[')) return false;
  try {
    JSON.parse(text);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes('Unexpected end of JSON input')) return true;
    const at = /at position (\d+)/.exec(message);
    return at !== null && Number(at[1]) >= text.length;
  }
}

/**
 * Appends one record as a line and syncs it to disk before returning, so a record written before
 * an action survives a crash (or a power loss) during that action. When the file's last line was
 * torn by a crash, the record starts on a fresh line instead of being glued to the fragment.
 */
export async function appendJsonLine(file: string, record: unknown): Promise<void> {
  const line = `${JSON.stringify(record)}\n`;
  const handle = await open(file, 'a+');
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.write(prefix + line);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Reads a JSON-lines file. A missing file is empty. A line cut short by a crash (see
 * `appendJsonLine`) is reported in `tornLines` and skipped, wherever it is; any other line that
 * is not JSON, or that `validate` refuses, is corruption and throws `JsonLinesCorruptError`.
 */
export async function readJsonLines<T>(
  file: string,
  validate: (value: unknown) => string | undefined = () => undefined,
): Promise<JsonLines<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], tornLines: [] };
    throw error;
  }
  const records: T[] = [];
  const tornLines: number[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (isTornWrite(line)) {
        tornLines.push(index + 1);
        continue;
      }
      throw new JsonLinesCorruptError(file, index + 1, 'not JSON');
    }
    const problem = validate(parsed);
    if (problem !== undefined) throw new JsonLinesCorruptError(file, index + 1, problem);
    records.push(parsed as T);
  }
  return { records, tornLines };
}
