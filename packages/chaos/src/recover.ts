import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Fault, ResidueItem } from './faults/fault.ts';
import { rollbackJournaled } from './faults/journaled.ts';
import { faultFromRecord } from './faults/registry.ts';
import { askResidue } from './faults/residue.ts';
import { type JournalEntry, pendingRollbacks, readJournal, type TargetRef } from './journal.ts';
import { type ChaosTarget, ChaosTargetMismatchError, openChaosTarget } from './target.ts';

export interface RecoverOptions {
  /** The journal (`<out>/journal.jsonl`). */
  readonly journal: string;
  /** For entries written before entries named their target: where they were injected. */
  readonly fallbackTarget?: TargetRef;
  readonly onProgress?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RecoveredFault {
  readonly id: string;
  readonly fault: string;
  readonly target: string;
  /** Set when the rollback failed (the entry stays pending). */
  readonly error?: string;
}

export interface RecoverResult {
  /** Injections the journal had without a successful rollback. */
  readonly pending: number;
  readonly rolledBack: readonly RecoveredFault[];
  readonly failed: readonly RecoveredFault[];
  /** What the target still holds for those faults after the rollback, asked of the target. */
  readonly residue: readonly ResidueItem[];
  /** Nothing failed and nothing is left (also when there was nothing to do). */
  readonly clean: boolean;
}

type Pending = Extract<JournalEntry, { kind: 'inject' }>;

const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'error';

/**
 * What `stackproof chaos recover` does after a crash (kill -9, a lost machine, a failed rollback):
 * reads the journal, and for every injection without a successful rollback, newest first,
 * rebuilds the fault from its entry (kind, record, target) and rolls it back, journaling the
 * outcome. Rollbacks are idempotent, so an entry whose injection never happened, or whose
 * rollback was cut half-way, is safe to roll back again. Then asks the target for residue of
 * those faults. A second recover finds nothing pending and does nothing.
 */
export async function recoverFromJournal(options: RecoverOptions): Promise<RecoverResult> {
  const progress = options.onProgress ?? (() => undefined);
  const pending = pendingRollbacks(await readJournal(options.journal)).reverse();
  if (pending.length === 0) {
    progress(`nothing to recover: ${options.journal} has no pending injection`);
    return { pending: 0, rolledBack: [], failed: [], residue: [], clean: true };
  }
  progress(`${pending.length} pending injection(s) in ${options.journal}`);
  const targets = new Map<string, ChaosTarget>();
  const rolledBack: RecoveredFault[] = [];
  const failed: RecoveredFault[] = [];
  const faults: Fault[] = [];
  try {
    for (const entry of pending as Pending[]) {
      const ref = entry.where ?? options.fallbackTarget;
      const base = { id: entry.id, fault: entry.fault, target: entry.target };
      if (ref === undefined) {
        failed.push({
          ...base,
          error:
            'the entry does not say where it was injected: pass the target (--sandbox-dir, or --aws with its account)',
        });
        continue;
      }
      try {
        const key = JSON.stringify(ref);
        let target = targets.get(key);
        if (target === undefined) {
          target = await openChaosTarget(ref, options.env);
          targets.set(key, target);
          if (ref.kind === 'aws') {
            const account = (await target.aws.sts.send(new GetCallerIdentityCommand({}))).Account;
            if (account !== ref.account) {
              throw new ChaosTargetMismatchError(
                `the journal's faults were injected in account ${ref.account}, but the credentials are for ${account}: use credentials of ${ref.account}`,
              );
            }
          }
        }
        const fault = faultFromRecord(target, entry.fault, entry.record);
        faults.push(fault);
        await rollbackJournaled(options.journal, fault, entry.id, entry.record);
        rolledBack.push(base);
        progress(`rolled back ${entry.fault} on ${entry.target}`);
      } catch (error) {
        failed.push({ ...base, error: messageOf(error) });
        progress(`ROLLBACK FAILED for ${entry.fault} on ${entry.target}: ${messageOf(error)}`);
      }
    }
    const { items: residue } = await askResidue(faults);
    progress(
      residue.length === 0
        ? 'no residue (asked the target)'
        : `RESIDUE: ${residue.map((r) => `${r.resource} (${r.detail})`).join('; ')}`,
    );
    return {
      pending: pending.length,
      rolledBack,
      failed,
      residue,
      clean: failed.length === 0 && residue.length === 0,
    };
  } finally {
    for (const target of targets.values()) await target.close();
  }
}
