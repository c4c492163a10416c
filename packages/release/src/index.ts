export {
  type DeploymentState,
  findDeployment,
  loadKubeConfig,
  type PdbState,
  type PodState,
  type ReplicaSetState,
  readDeploymentState,
} from './cluster.ts';
export {
  type DeployOptions,
  type DeployOutcome,
  type DeployStatus,
  deployRelease,
} from './deploy.ts';
export {
  type ChartRelease,
  checkReleaseNames,
  type HelmRevision,
  helmHistory,
  helmUserValues,
  type UpgradeOutcome,
} from './helm.ts';
export {
  DEFAULT_BOUNDS,
  floorHeldCheck,
  judgeScenario,
  type LoadNumbers,
  RELEASE_PROPERTY,
  type ReleaseBounds,
  type ScenarioRecord,
  zeroFailedCheck,
} from './judge.ts';
export {
  type DatabaseConnection,
  databaseOfDeployment,
  forgetNewestMigration,
  MIGRATIONS_TABLE,
  type MigrationDrift,
} from './migration-drift.ts';
export { type MigrationsOutcome, migrationsJobFrom, runMigrationsJob } from './migrations.ts';
export {
  type ProveOptions,
  proveReleaseLifecycle,
  type ReleaseProof,
  type ScenarioResult,
} from './prove.ts';
export { ReleaseError, type ReleaseErrorCode } from './release-error.ts';
export {
  type RolloutObservations,
  RolloutObserver,
  type RolloutSummary,
  summarizeRollout,
} from './rollout-observer.ts';
export {
  parseScenarioList,
  SCENARIO_NAMES,
  SCENARIOS,
  type ScenarioName,
  type ScenarioSpec,
} from './scenarios.ts';
