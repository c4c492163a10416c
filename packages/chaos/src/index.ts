export {
  AZ_BLACKHOLE_FAULT,
  type AzBlackholeRecord,
  type AzBlackholeTarget,
  azBlackhole,
  DEFAULT_BLACKHOLE_RULE_NUMBER,
} from './faults/aws/az-blackhole.ts';
export { type AwsClients, awsClientsFor } from './faults/aws/clients.ts';
export {
  INSTANCES_STOPPED_FAULT,
  type InstanceStopOptions,
  type InstanceStopRecord,
  type InstanceStopTarget,
  instancesStop,
} from './faults/aws/instances-stop.ts';
export {
  RDS_FAILOVER_FAULT,
  type RdsFailoverOptions,
  type RdsFailoverRecord,
  type RdsFailoverTarget,
  rdsFailover,
} from './faults/aws/rds-failover.ts';
export { type AzSubnetsTarget, TIER_TAG } from './faults/aws/subnets.ts';
export {
  type Fault,
  FaultConflictError,
  type FaultRecord,
  FaultRollbackError,
  FaultTargetError,
  type ResidueItem,
} from './faults/fault.ts';
export { injectJournaled, type JournaledInjection, type JournaledRun } from './faults/journaled.ts';
export {
  NODE_POWER_LOSS_FAULT,
  type PowerLossRecord,
  sandboxNodePowerLoss,
  sandboxZonePowerLoss,
  ZONE_POWER_LOSS_FAULT,
} from './faults/sandbox/power-loss.ts';
export { appendJournal, type JournalEntry, pendingRollbacks, readJournal } from './journal.ts';
