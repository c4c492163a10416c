import { appendJsonLine, readJsonLines } from '@stackproof/core';
import type { FaultRecord } from './faults/fault.ts';

/**
 * Where a fault's target is, so that `stackproof chaos recover` can reach it after a crash with
 * nothing but the journal: a sandbox (its directory: the daemon, its moto, its cluster) or an AWS
 * account (its id, checked against the credentials before anything is rolled back) and a
 * Kubernetes cluster (kubeconfig and context).
 */
export type TargetRef =
  | { readonly kind: 'sandbox'; readonly dir: string }
  | {
      readonly kind: 'aws';
      readonly account: string;
      readonly region: string;
      readonly kubeconfig?: string;
      readonly context?: string;
    };

/**
 * The chaos journal: an append-only JSON-lines file (core's appendJsonLine / readJsonLines). An
 * `inject` entry is written and synced to disk BEFORE a fault is injected, with the fault's
 * planned record, and a `rollback` entry after it has been undone, so after a crash
 * `stackproof chaos recover` knows exactly which faults may still be in place and how to undo
 * them. A line a crash cut short is skipped: it was written before its injection began.
 */
export type JournalEntry =
  | {
      readonly kind: 'inject';
      readonly id: string;
      readonly experiment: string;
      /** The fault's kind (`aws.az-nacl-blackhole`). */
      readonly fault: string;
      /** What it acts on, as the fault describes it. */
      readonly target: string;
      /** What rollback needs to undo the fault: the fault's record (see Fault.plan). */
      readonly record: FaultRecord;
      /** Where the target is (absent in journals written before it existed). */
      readonly where?: TargetRef;
      readonly at: string;
    }
  | {
      readonly kind: 'rollback';
      readonly id: string;
      readonly at: string;
      readonly ok: boolean;
      /** Why a failed rollback failed. */
      readonly error?: string;
    };

function entryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const entry = value as Record<string, unknown>;
  if (entry.kind !== 'inject' && entry.kind !== 'rollback') {
    return `unknown entry kind ${JSON.stringify(entry.kind)}`;
  }
  if (typeof entry.id !== 'string' || typeof entry.at !== 'string') return 'no id or at';
  if (entry.kind === 'rollback') return typeof entry.ok === 'boolean' ? undefined : 'no ok';
  for (const key of ['experiment', 'fault', 'target'] as const) {
    if (typeof entry[key] !== 'string') return `no ${key}`;
  }
  const record = entry.record;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'no record';
  const where = entry.where as { kind?: unknown } | undefined;
  if (where !== undefined && where.kind !== 'sandbox' && where.kind !== 'aws') {
    return `unknown target kind ${JSON.stringify(where.kind)}`;
  }
  return undefined;
}

/** Appends an entry and syncs it to disk before returning. */
export function appendJournal(path: string, entry: JournalEntry): Promise<void> {
  return appendJsonLine(path, entry);
}

/**
 * The journal's entries in order; a missing journal is empty. A line that is not an entry (and
 * not a torn write) is core's JsonLinesCorruptError naming the line.
 */
export async function readJournal(path: string): Promise<JournalEntry[]> {
  return (await readJsonLines<JournalEntry>(path, entryProblem)).records;
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
