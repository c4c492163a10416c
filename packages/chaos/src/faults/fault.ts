import { type JsonValue, StackproofError } from '@stackproof/core';

/** A fault's record: plain JSON, because the journal stores it before the fault is injected. */
export type FaultRecord = { readonly [key: string]: JsonValue };

/** One thing a fault has left in place, as the target reports it right now. */
export interface ResidueItem {
  /** What is left: `NACL acl-0abc rule 1 (ingress)`, `instance i-0abc (stopped)`. */
  readonly resource: string;
  readonly detail: string;
}

/**
 * One kind of failure stackproof can cause, bound to its target. The verbs are the journal's:
 * the experiment runner writes `plan()`'s record to the journal (an `inject` entry) before it
 * calls `inject()`, and a `rollback` entry once `rollback(record)` has succeeded, so that after a
 * crash `rollback` can run from the journal alone and `residue` can prove nothing is left.
 *
 * - `plan()` is the dry run: it reads the target and returns the record of what `inject()` would
 *   change, changing nothing; it refuses (FaultTargetError, FaultConflictError) what `inject()`
 *   would refuse.
 * - `inject()` makes the failure happen and returns the record of what it changed, the same shape
 *   `plan()` returns (with what only the injection learns added). A failed injection undoes what
 *   it had done before throwing.
 * - `rollback(record)` restores what the record says was changed. Idempotent: each step checks
 *   the target first, so a second call (or one after a crash mid-rollback) finds nothing left and
 *   does nothing.
 * - `residue()` asks the target, not the journal, what this fault has left in place right now;
 *   empty means nothing.
 */
export interface Fault<R extends FaultRecord = FaultRecord> {
  /** The kind of fault (`aws.az-nacl-blackhole`), as the journal names it. */
  readonly kind: string;
  /** What it acts on, in a few words (`me-central-1a of vpc-0abc`). */
  readonly target: string;
  plan(): Promise<R>;
  inject(): Promise<R>;
  rollback(record: R): Promise<void>;
  residue(): Promise<ResidueItem[]>;
}

/** A fault found nothing to act on (no subnets or instances in the zone, no such database). */
export class FaultTargetError extends StackproofError {
  readonly fault: string;

  constructor(fault: string, reason: string) {
    super('FAULT_NO_TARGET', 'bad-input', `${fault}: ${reason}`);
    this.fault = fault;
  }
}

/**
 * A fault refused to inject because the result could not be rolled back exactly (a NACL shared
 * with subnets outside the zone, a deny rule number in use, a database that is not Multi-AZ).
 */
export class FaultConflictError extends StackproofError {
  readonly fault: string;

  constructor(fault: string, reason: string) {
    super('FAULT_CONFLICT', 'environment', `${fault}: ${reason}`);
    this.fault = fault;
  }
}

/** A rollback could not restore what was there before the fault (the rest was restored). */
export class FaultRollbackError extends StackproofError {
  readonly fault: string;

  constructor(fault: string, reason: string) {
    super('FAULT_ROLLBACK_FAILED', 'environment', `rolling back ${fault} failed: ${reason}`);
    this.fault = fault;
  }
}
