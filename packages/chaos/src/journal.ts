import { open, readFile } from 'node:fs/promises';
import { StackproofError } from '@stackproof/core';

/**
 * The chaos journal: an append-only JSON-lines file. An `inject` entry is written and synced to
 * disk BEFORE a fault is injected, and a `rollback` entry after it has been undone, so after a
 * crash `stackproof chaos recover` knows exactly which faults may still be in place.
 */
export type JournalEntry =
  | {
      readonly kind: 'inject';
      readonly id: string;
      readonly experiment: string;
      readonly target: string;
      /** What rollback needs to undo the fault (for example the NACL association it replaced). */
      readonly undo: Readonly<Record<string, unknown>>;
      readonly at: string;
    }
  | { readonly kind: 'rollback'; readonly id: string; readonly at: string; readonly ok: boolean };

export class JournalCorruptError extends StackproofError {
  constructor(path: string, line: number, reason: string) {
    super(
      'JOURNAL_CORRUPT',
      'bad-input',
      `chaos journal ${path} line ${line}: ${reason}; fix or move the file, then re-run`,
    );
  }
}

export async function appendJournal(path: string, entry: JournalEntry): Promise<void> {
  const file = await open(path, 'a');
  try {
    await file.write(`${JSON.stringify(entry)}\n`);
    // The entry must survive a crash that happens during the injection it announces.
    await file.sync();
  } finally {
    await file.close();
  }
}

export async function readJournal(path: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: JournalEntry[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // A torn last line means the process died mid-write, before that injection happened.
      if (index === lines.length - 1 || lines.slice(index + 1).every((l) => l.trim() === '')) break;
      throw new JournalCorruptError(path, index + 1, 'not JSON');
    }
    const kind = (parsed as { kind?: unknown }).kind;
    if (kind !== 'inject' && kind !== 'rollback') {
      throw new JournalCorruptError(path, index + 1, `unknown entry kind ${JSON.stringify(kind)}`);
    }
    entries.push(parsed as JournalEntry);
  }
  return entries;
}

/** Injections with no successful rollback: the residue `chaos recover` must undo. */
export function pendingRollbacks(
  entries: readonly JournalEntry[],
): Extract<JournalEntry, { kind: 'inject' }>[] {
  const undone = new Set(entries.filter((e) => e.kind === 'rollback' && e.ok).map((e) => e.id));
  return entries.filter(
    (e): e is Extract<JournalEntry, { kind: 'inject' }> => e.kind === 'inject' && !undone.has(e.id),
  );
}
