import {
  type DBInstance,
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  type RDSClient,
  RebootDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { pollUntil } from '@stackproof/core';
import { AwsFaultConflictError, AwsFaultTargetError } from './aws-errors.ts';

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
 * What a reboot with failover did, as DescribeDBInstances shows it. There is no rollback: a
 * failover cannot be undone (failing back is a second outage), so the hook returns this report
 * rather than a handle. The outage as clients see it is measured by the chaos work's SQL probe.
 */
export interface RdsFailoverResult {
  readonly dbInstanceIdentifier: string;
  readonly availabilityZoneBefore: string | undefined;
  readonly availabilityZoneAfter: string | undefined;
  readonly secondaryAvailabilityZoneBefore: string | undefined;
  readonly secondaryAvailabilityZoneAfter: string | undefined;
  /**
   * True when the primary moved to the former standby's AZ. False on moto 5.2.1, which accepts
   * ForceFailover and ignores it (no AZ change, no SecondaryAvailabilityZone, no event).
   */
  readonly failedOver: boolean;
  /** Status values seen after the reboot was requested, in order (e.g. rebooting, available). */
  readonly statusesSeen: readonly string[];
  readonly durationMs: number;
}

async function describeDb(rds: RDSClient, id: string): Promise<DBInstance> {
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    const db = out.DBInstances?.[0];
    if (db !== undefined) return db;
  } catch (error) {
    if (!(error instanceof DBInstanceNotFoundFault)) throw error;
  }
  throw new AwsFaultTargetError(RDS_FAILOVER_FAULT, `there is no DB instance ${id}`);
}

/**
 * RebootDBInstance with ForceFailover on a Multi-AZ instance, then waits until it is available.
 * Checks the preconditions itself because moto does not: a single-AZ instance is refused here as
 * RDS refuses it (InvalidParameterCombination), and so is one that is not `available`.
 */
export async function rebootDbWithFailover(
  rds: RDSClient,
  target: RdsFailoverTarget,
  options: RdsFailoverOptions = {},
): Promise<RdsFailoverResult> {
  const id = target.dbInstanceIdentifier;
  const before = await describeDb(rds, id);
  if (before.MultiAZ !== true) {
    throw new AwsFaultConflictError(
      RDS_FAILOVER_FAULT,
      `${id} is not Multi-AZ, so it has no standby to fail over to (RDS refuses ForceFailover on it)`,
    );
  }
  if (before.DBInstanceStatus !== 'available') {
    throw new AwsFaultConflictError(
      RDS_FAILOVER_FAULT,
      `${id} is ${before.DBInstanceStatus ?? 'in an unknown state'}, not available; wait until it is`,
    );
  }
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
      const moved = db.AvailabilityZone !== before.AvailabilityZone;
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
    dbInstanceIdentifier: id,
    availabilityZoneBefore: before.AvailabilityZone,
    availabilityZoneAfter: after.AvailabilityZone,
    secondaryAvailabilityZoneBefore: before.SecondaryAvailabilityZone,
    secondaryAvailabilityZoneAfter: after.SecondaryAvailabilityZone,
    failedOver:
      before.AvailabilityZone !== undefined && after.AvailabilityZone !== before.AvailabilityZone,
    statusesSeen,
    durationMs: Date.now() - started,
  };
}
