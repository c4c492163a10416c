import { StackproofError } from '@stackproof/core';
import type { ChaosTarget } from '../target.ts';
import { AZ_BLACKHOLE_FAULT, type AzBlackholeRecord, azBlackhole } from './aws/az-blackhole.ts';
import {
  INSTANCES_STOPPED_FAULT,
  type InstanceStopRecord,
  instancesStop,
} from './aws/instances-stop.ts';
import { RDS_FAILOVER_FAULT, type RdsFailoverRecord, rdsFailover } from './aws/rds-failover.ts';
import type { Fault, FaultRecord } from './fault.ts';
import { POD_KILL_FAULT, type PodKillRecord, podKill } from './kube/pod-kill.ts';
import { DATABASE_FAILOVER_FAULT, sandboxDatabaseFailover } from './sandbox/database-failover.ts';
import {
  NODE_POWER_LOSS_FAULT,
  type PowerLossRecord,
  sandboxNodePowerLoss,
  sandboxZonePowerLoss,
  ZONE_POWER_LOSS_FAULT,
} from './sandbox/power-loss.ts';

/** A journal entry names a fault this version of stackproof does not know. */
export class UnknownFaultError extends StackproofError {
  constructor(kind: string) {
    super(
      'CHAOS_UNKNOWN_FAULT',
      'internal',
      `the journal names a fault of kind '${kind}' that this stackproof cannot roll back; use the version that wrote it`,
    );
  }
}

/**
 * A fault as the journal sees it: its record is whatever JSON the entry holds. Sound because the
 * registry only ever hands a fault the record its own kind wrote.
 */
function anyFault<R extends FaultRecord>(fault: Fault<R>): Fault {
  return fault as unknown as Fault;
}

function sandboxOf(target: ChaosTarget, kind: string) {
  if (target.sandbox === undefined) {
    throw new StackproofError(
      'CHAOS_NOT_A_SANDBOX',
      'bad-input',
      `a ${kind} fault acts on a sandbox, but the target is ${target.ref.kind}`,
    );
  }
  return target.sandbox;
}

/**
 * The fault a journal entry describes, rebuilt from its kind and record alone, bound to the
 * target: what `chaos recover` rolls back after a crash, and what asks the target for residue.
 * Every fault's record names what its rollback and residue need.
 */
export function faultFromRecord(target: ChaosTarget, kind: string, record: FaultRecord): Fault {
  switch (kind) {
    case AZ_BLACKHOLE_FAULT: {
      const r = record as AzBlackholeRecord;
      return anyFault(
        azBlackhole(target.aws.ec2, {
          vpcId: r.vpcId,
          availabilityZone: r.availabilityZone,
          ruleNumber: r.ruleNumber,
        }),
      );
    }
    case INSTANCES_STOPPED_FAULT: {
      const r = record as InstanceStopRecord;
      return anyFault(
        instancesStop(target.aws.ec2, {
          instanceIds: r.instanceIds,
          ...(r.availabilityZone === null ? {} : { availabilityZone: r.availabilityZone }),
        }),
      );
    }
    case RDS_FAILOVER_FAULT: {
      const r = record as RdsFailoverRecord;
      return anyFault(
        rdsFailover(target.aws.rds, {
          dbInstanceIdentifier: r.dbInstanceIdentifier,
        }),
      );
    }
    case NODE_POWER_LOSS_FAULT: {
      const r = record as PowerLossRecord;
      return anyFault(sandboxNodePowerLoss(sandboxOf(target, kind), r.nodes[0] ?? ''));
    }
    case ZONE_POWER_LOSS_FAULT: {
      const r = record as PowerLossRecord;
      return anyFault(sandboxZonePowerLoss(sandboxOf(target, kind), r.zone));
    }
    case DATABASE_FAILOVER_FAULT:
      return anyFault(sandboxDatabaseFailover(sandboxOf(target, kind)));
    case POD_KILL_FAULT: {
      const r = record as PodKillRecord;
      return anyFault(
        podKill(target.kubeConfig, {
          namespace: r.namespace,
          selector: r.selector,
          zone: r.zone,
        }),
      );
    }
    default:
      throw new UnknownFaultError(kind);
  }
}
