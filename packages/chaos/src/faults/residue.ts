import { setTimeout as delay } from 'node:timers/promises';
import type { Fault, ResidueItem } from './fault.ts';

const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'error';

/**
 * Asks each fault's target what it has left in place (never the journal), again every half
 * second for up to `settleMs` while anything is left (a restart may lag a moment behind its
 * rollback). A target that does not answer is residue too: nothing proves it clean.
 */
export async function askResidue(
  faults: readonly Fault[],
  settleMs = 0,
): Promise<{ items: ResidueItem[]; clearAt: number | undefined }> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const items: ResidueItem[] = [];
    for (const fault of faults) {
      try {
        items.push(...(await fault.residue()));
      } catch (error) {
        items.push({
          resource: fault.target,
          detail: `the target did not answer: ${messageOf(error)}`,
        });
      }
    }
    if (items.length === 0) return { items, clearAt: Date.now() };
    if (Date.now() >= deadline) return { items, clearAt: undefined };
    await delay(500);
  }
}
