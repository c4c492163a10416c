export {
  buildTimeline,
  type ChaosEvent,
  type ChaosTimeline,
  type ChaosTimelinePoint,
  type FaultWindow,
  type Measured,
  type MeasureInput,
  measureRun,
  type RunMoments,
} from './analysis.ts';
export {
  CHAOS_DEFAULTS,
  type ChaosAllowList,
  type ChaosExpectations,
  type ChaosSteadyLoad,
  parseChaosExpectations,
} from './chaos-expectations.ts';
export {
  type ChaosOutcome,
  type ChaosSummary,
  chaosJunit,
  chaosReportHtml,
} from './chaos-report.ts';
export {
  buildExperiment,
  CHAOS_TARGET_TAG,
  EXPERIMENTS,
  type Experiment,
  ExperimentInputError,
  type ExperimentName,
  type ExperimentProperties,
  type ExperimentRequest,
  type StackIds,
} from './experiments.ts';
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
export {
  injectJournaled,
  type JournaledInjection,
  type JournaledRun,
  rollbackJournaled,
} from './faults/journaled.ts';
export {
  POD_KILL_FAULT,
  type PodKillRecord,
  type PodKillTarget,
  podKill,
} from './faults/kube/pod-kill.ts';
export { faultFromRecord, UnknownFaultError } from './faults/registry.ts';
export {
  DATABASE_FAILOVER_FAULT,
  type DatabaseFailoverRecord,
  sandboxDatabaseFailover,
} from './faults/sandbox/database-failover.ts';
export {
  NODE_POWER_LOSS_FAULT,
  type PowerLossRecord,
  sandboxNodePowerLoss,
  sandboxZonePowerLoss,
  ZONE_POWER_LOSS_FAULT,
} from './faults/sandbox/power-loss.ts';
export {
  type FisAzOutageInput,
  type FisDatabaseFailover,
  FisTemplateError,
  fisAzOutageInput,
  fisAzOutageTemplate,
} from './fis-template.ts';
export {
  ChaosGuardError,
  ChaosPendingRollbackError,
  checkAllowList,
  checkBlastRadius,
  checkChaosTargetTags,
  checkJournalClear,
} from './guards.ts';
export {
  appendJournal,
  type JournalEntry,
  pendingRollbacks,
  readJournal,
  type TargetRef,
} from './journal.ts';
export { ClusterObserver, type ClusterSample } from './observe/cluster-observer.ts';
export { SqlProbe, type SqlProbeOptions, type SqlProbeSample } from './observe/sql-probe.ts';
export { SteadyLoad, SteadyLoadError, type SteadyLoadOptions } from './observe/steady-load.ts';
export {
  type RecoveredFault,
  type RecoverOptions,
  type RecoverResult,
  recoverFromJournal,
} from './recover.ts';
export {
  type ChaosPlan,
  ChaosRunInputError,
  type ChaosRunOptions,
  type ChaosRunResult,
  type ChaosStack,
  HOLD_POINTS,
  type HoldPoint,
  runChaosExperiment,
} from './run-experiment.ts';
export { type ChaosTarget, ChaosTargetMismatchError, openChaosTarget } from './target.ts';
