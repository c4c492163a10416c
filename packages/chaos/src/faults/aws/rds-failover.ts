import {
  type DBInstance,
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  type RDSClient,
  RebootDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { pollUntil } from '@stackproof/core';
import { type Fault, FaultConflictError, FaultTargetError, type ResidueItem } from '../fault.ts';

export const RDS_FAILOVER_FAULT = 'aws.rds-reboot-failover';

export interface RdsFailoverTarget {
  readonly dbInstanceIdentifier: string;
}

export interface RdsFailoverOptions {
  /** Bound for the instance to be `available` again; default 15 min. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /**
   * RDS may still report `available` for a moment after accepting the reboot, so `available` is
   * only taken as "back" once another status was seen, the AZ changed, or this long has passed
   * (default 30 s). moto never leaves `available`, so against moto the hook takes this long.
   */
  readonly settleMs?: number;
}

/**
 * What a reboot with failover will do (plan: the zones before) and did (inject: the zones after
 * and what DescribeDBInstances showed meanwhile). The outage as clients see it is measured by the
 * chaos work's SQL probe, not here.
 */
export type RdsFailoverRecord = {
  readonly dbInstanceIdentifier: string;
  readonly availabilityZoneBefore: string | null;
  readonly secondaryAvailabilityZoneBefore: string | null;
  readonly availabilityZoneAfter?: string | null;
  readonly secondaryAvailabilityZoneAfter?: string | null;
  /**
   * True when the primary moved to the former standby's AZ. False on moto 5.2.1, which accepts
   * ForceFailover and ignores it (no AZ change, no SecondaryAvailabilityZone, no event).
   */
  readonly failedOver?: boolean;
  /** Status values seen after the reboot was requested, in order (e.g. rebooting, available). */
  readonly statusesSeen?: readonly string[];
  readonly durationMs?: number;
};

async function describeDb(rds: RDSClient, id: string): Promise<DBInstance> {
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    const db = out.DBInstances?.[0];
    if (db !== undefined) return db;
  } catch (error) {
    if (!(error instanceof DBInstanceNotFoundFault)) throw error;
  }
  throw new FaultTargetError(RDS_FAILOVER_FAULT, `there is no DB instance ${id}`);
}

/**
 * Checks the preconditions itself because moto does not: a single-AZ instance is refused here as
 * RDS refuses it (InvalidParameterCombination), and so is one that is not `available`.
 */
async function planFailover(rds: RDSClient, id: string): Promise<RdsFailoverRecord> {
  const before = await describeDb(rds, id);
  if (before.MultiAZ !== true) {
    throw new FaultConflictError(
      RDS_FAILOVER_FAULT,
      `${id} is not Multi-AZ, so it has no standby to fail over to (RDS refuses ForceFailover on it)`,
    );
  }
  if (before.DBInstanceStatus !== 'available') {
    throw new FaultConflictError(
      RDS_FAILOVER_FAULT,
      `${id} is ${before.DBInstanceStatus ?? 'in an unknown state'}, not available; wait until it is`,
    );
  }
  return {
    dbInstanceIdentifier: id,
    availabilityZoneBefore: before.AvailabilityZone ?? null,
    secondaryAvailabilityZoneBefore: before.SecondaryAvailabilityZone ?? null,
  };
}

/** RebootDBInstance with ForceFailover, then waits until the instance is available again. */
async function failover(
  rds: RDSClient,
  id: string,
  options: RdsFailoverOptions,
): Promise<RdsFailoverRecord> {
  const plan = await planFailover(rds, id);
  const started = Date.now();
  const statusesSeen: string[] = [];
  const note = (db: DBInstance) => {
    const status = db.DBInstanceStatus ?? 'unknown';
    if (statusesSeen.at(-1) !== status) statusesSeen.push(status);
  };
  const rebooted = await rds.send(
    new RebootDBInstanceCommand({ DBInstanceIdentifier: id, ForceFailover: true }),
  );
  if (rebooted.DBInstance !== undefined) note(rebooted.DBInstance);
  const settleMs = options.settleMs ?? 30_000;
  const after = await pollUntil(
    async () => {
      const db = await describeDb(rds, id);
      note(db);
      const moved = (db.AvailabilityZone ?? null) !== plan.availabilityZoneBefore;
      const cycled = statusesSeen.some((s) => s !== 'available');
      const settled = moved || cycled || Date.now() - started >= settleMs;
      return db.DBInstanceStatus === 'available' && settled ? db : undefined;
    },
    {
      what: `${id} to be available after its reboot with failover`,
      timeoutMs: options.timeoutMs ?? 900_000,
      intervalMs: options.intervalMs ?? 5_000,
    },
  );
  return {
    ...plan,
    availabilityZoneAfter: after.AvailabilityZone ?? null,
    secondaryAvailabilityZoneAfter: after.SecondaryAvailabilityZone ?? null,
    failedOver:
      plan.availabilityZoneBefore !== null &&
      after.AvailabilityZone !== plan.availabilityZoneBefore,
    statusesSeen,
    durationMs: Date.now() - started,
  };
}

/**
 * An RDS failover: RebootDBInstance with ForceFailover on a Multi-AZ instance, waiting until it
 * is available again. There is nothing to roll back — a failover cannot be undone (failing back
 * is a second outage) — so rollback does nothing; the residue is the instance not being
 * `available` (still rebooting, failed).
 */
export function rdsFailover(
  rds: RDSClient,
  target: RdsFailoverTarget,
  options: RdsFailoverOptions = {},
): Fault<RdsFailoverRecord> {
  const id = target.dbInstanceIdentifier;
  return {
    kind: RDS_FAILOVER_FAULT,
    target: `DB instance ${id}`,
    plan: () => planFailover(rds, id),
    inject: () => failover(rds, id, options),
    rollback: async () => undefined,
    async residue(): Promise<ResidueItem[]> {
      const db = await describeDb(rds, id);
      return db.DBInstanceStatus === 'available'
        ? []
        : [{ resource: `DB instance ${id}`, detail: `status ${db.DBInstanceStatus ?? 'unknown'}` }];
    },
  };
}
