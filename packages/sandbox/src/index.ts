// The sandbox's public surface: what other packages and users call. Everything else (the control
// plane's parts, the data plane, the recorded AWS state) is internal to the sandbox's rooms.
export { removeTerraformOutputs, sandboxOutputsDir, writeTerraformOutputs } from './aws/outputs.ts';
export {
  type ClusterInfo,
  type ClusterOptions,
  PostgresCluster,
} from './database/postgres-cluster.ts';
export {
  type ControlPlane,
  type ControlPlaneOptions,
  startControlPlane,
} from './kube/control-plane.ts';
export { SandboxLifecycleError, SandboxTargetError } from './lifecycle/errors.ts';
export type { ComponentHealth } from './lifecycle/health.ts';
export {
  type DownResult,
  type StatusResult,
  sandboxDown,
  sandboxStatus,
  sandboxUp,
  type UpOptions,
  type UpResult,
} from './lifecycle/lifecycle.ts';
export { readSandboxState, type SandboxState, sandboxEnvExports } from './lifecycle/state.ts';
export {
  type DatabaseFailover,
  type DatabaseNodeInfo,
  type DatabaseTopology,
  type NodePowerLoss,
  type NodeRestore,
  SandboxClient,
  type SandboxHealthReport,
  type SandboxNodeInfo,
  type SandboxZoneInfo,
  type StandbyRejoin,
  type StandbyState,
  type ZonePowerLoss,
  type ZoneRestore,
} from './sandbox-client.ts';
