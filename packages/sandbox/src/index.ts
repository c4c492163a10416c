export {
  type ControlPlane,
  type ControlPlaneComponent,
  type ControlPlaneOptions,
  startControlPlane,
} from './control-plane.ts';
export { type ProbeResponse, type ProbeTls, probeGet } from './https-probe.ts';
export {
  KWOK_NODE_ANNOTATION,
  KWOK_NODE_ANNOTATION_VALUE,
  KWOK_STAGES_DIR,
  type Kwok,
  type KwokOptions,
  startKwok,
} from './kwok.ts';
export {
  createKwokNodes,
  DEFAULT_REGION,
  DEFAULT_ZONES,
  eksNodeGroup,
  type FakeNodeSpec,
  fakeNode,
  INSTANCE_TYPES,
  type InstanceType,
  isNodeReady,
  type NodeGroupOptions,
  nodeResources,
  waitForNodesReady,
} from './kwok-nodes.ts';
export { isLoopbackPortFree, reserveLoopbackPorts } from './loopback-ports.ts';
export {
  type ExitInfo,
  type ManagedProcess,
  type ManagedProcessOptions,
  readLogTail,
  startManagedProcess,
  waitReady,
} from './managed-process.ts';
export type { CertKeyPair, ControlPlanePki } from './pki.ts';
export { type PollOptions, pollUntil } from './poll.ts';
export { processesReferencing, type ResidualProcess } from './process-residue.ts';
export {
  ComponentStartError,
  ComponentStopError,
  PkiError,
  WaitTimeoutError,
} from './sandbox-errors.ts';
