// The sandbox's public surface: what other packages and users call. Everything else (the control
// plane's parts, the data plane, the recorded AWS state) is internal to the sandbox's rooms.
export { removeTerraformOutputs, sandboxOutputsDir, writeTerraformOutputs } from './aws/outputs.ts';
// The running sandbox's client, as `@stackproof/sandbox/client` exports it.
export * from './client.ts';
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
export { readSandboxState, sandboxEnvExports } from './lifecycle/state.ts';
