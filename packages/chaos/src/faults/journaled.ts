import { appendJournal, type TargetRef } from '../journal.ts';
import type { Fault, FaultRecord } from './fault.ts';

export interface JournaledRun {
  /** Unique per injection within the journal (the rollback entry names it). */
  readonly id: string;
  /** The experiment the injection belongs to (`az-outage`). */
  readonly experiment: string;
  /** Where the target is, for a recovery that has only the journal. */
  readonly where?: TargetRef;
  /**
   * Runs after the entry is on disk and before the injection (progress; the crash tests hold the
   * process here to kill it at exactly this point).
   */
  readonly afterJournal?: () => Promise<void>;
}

/** An injected fault whose journal entry is on disk; rollback() journals its outcome too. */
export interface JournaledInjection<R extends FaultRecord> {
  readonly id: string;
  readonly record: R;
  rollback(): Promise<void>;
}

/**
 * Rolls a journaled fault back and journals the outcome: a `rollback` entry with ok true, or with
 * ok false and the error (the entry stays pending, and the error is rethrown). Used by a run's
 * injections and by `chaos recover`, which rebuilds the fault from the journal entry.
 */
export async function rollbackJournaled<R extends FaultRecord>(
  journal: string,
  fault: Fault<R>,
  id: string,
  record: R,
): Promise<void> {
  try {
    await fault.rollback(record);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await appendJournal(journal, {
      kind: 'rollback',
      id,
      ok: false,
      error: message,
      at: new Date().toISOString(),
    });
    throw error;
  }
  await appendJournal(journal, { kind: 'rollback', id, ok: true, at: new Date().toISOString() });
}

/**
 * Injects a fault the safe way: the planned record goes to the journal (synced) before anything
 * changes, so a crash at any later point leaves an `inject` entry that rollback can work from.
 * A failed injection is rolled back (and journaled) before the error is rethrown.
 */
export async function injectJournaled<R extends FaultRecord>(
  journal: string,
  fault: Fault<R>,
  run: JournaledRun,
): Promise<JournaledInjection<R>> {
  const planned = await fault.plan();
  await appendJournal(journal, {
    kind: 'inject',
    id: run.id,
    experiment: run.experiment,
    fault: fault.kind,
    target: fault.target,
    record: planned,
    ...(run.where === undefined ? {} : { where: run.where }),
    at: new Date().toISOString(),
  });
  await run.afterJournal?.();
  let record: R;
  try {
    record = await fault.inject();
  } catch (error) {
    await rollbackJournaled(journal, fault, run.id, planned).catch(() => undefined);
    throw error;
  }
  return { id: run.id, record, rollback: () => rollbackJournaled(journal, fault, run.id, record) };
}
