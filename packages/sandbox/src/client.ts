// `@stackproof/sandbox/client`: the typed client of a running sandbox and nothing else, for the
// packages that may drive a sandbox but not start one (chaos: see docs/architecture.md).
export { SandboxLifecycleError, SandboxTargetError } from './lifecycle/errors.ts';
export type { SandboxState } from './lifecycle/state.ts';
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
