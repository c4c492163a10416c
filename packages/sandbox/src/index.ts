export {
  AwsStateRecordError,
  type AwsStateRecordFailure,
  AwsStateRecordingError,
  AwsStateRestoreError,
} from './aws/errors.ts';
export {
  beginAwsStateRecording,
  DEFAULT_AWS_STATE_SEED,
  type FinishAwsStateRecordingOptions,
  finishAwsStateRecording,
} from './aws/state-capture.ts';
export {
  AWS_STATE_DIR,
  AWS_STATE_MANIFEST_FILE,
  AWS_STATE_RECORDING_FILE,
  type AwsStateManifest,
  type AwsStateSource,
  type AwsStateSummary,
  type AwsStateWorkspace,
  describeAwsState,
  readAwsStateManifest,
} from './aws/state-manifest.ts';
export {
  DEFAULT_RECORDED_WORKSPACES,
  MOTO_EXCLUDED_RESOURCES,
  type RecordAwsStateOptions,
  recordAwsState,
} from './aws/state-record.ts';
export {
  type RestoreAwsStateOptions,
  type RestoredAwsState,
  restoreAwsState,
} from './aws/state-restore.ts';
export {
  DATA_PLANE_POD_LABEL,
  DATA_PLANE_POD_LABEL_VALUE,
  DataPlane,
  type DataPlaneOptions,
  type Instance,
} from './data-plane/data-plane.ts';
export {
  type EnvSources,
  PodEnvError,
  resolveContainerEnv,
  rewriteServiceAddresses,
  type ServiceRoute,
} from './data-plane/pod-env.ts';
export {
  type InstanceLookup,
  type RoutedService,
  ServiceRouter,
  type ServiceRouterOptions,
} from './data-plane/service-router.ts';
export {
  containerArgv,
  imageRepository,
  programForImage,
  REFERENCE_PROGRAMS,
  type WorkloadProgram,
} from './data-plane/workload-programs.ts';
export {
  type ClusterInfo,
  type ClusterOptions,
  findPgBinDir,
  PASSWORD,
  PostgresCluster,
  PostgresMissingError,
  SUPERUSER,
  serverUserCanReach,
} from './database/postgres-cluster.ts';
export {
  type ControlPlane,
  type ControlPlaneComponent,
  type ControlPlaneOptions,
  startControlPlane,
} from './kube/control-plane.ts';
export type { AggregatorRouting } from './kube/control-plane-args.ts';
export {
  type CpuSample,
  type CpuSampler,
  type CpuSamplerOptions,
  clockTicksPerSecond,
  type PodProcessMap,
  type PodUsage,
  type ProcStat,
  parseProcStat,
  startCpuSampler,
  USAGE_CPU_ANNOTATION,
  USAGE_MEMORY_ANNOTATION,
} from './kube/cpu-sampler.ts';
export { type HelmInstallOptions, helmInstall, WORKLOADS_CHART_DIR } from './kube/helm-release.ts';
export { type ProbeResponse, type ProbeTls, probeGet } from './kube/https-probe.ts';
export {
  KWOK_NODE_ANNOTATION,
  KWOK_NODE_ANNOTATION_VALUE,
  KWOK_STAGES_DIR,
  type Kwok,
  type KwokOptions,
  startKwok,
} from './kube/kwok.ts';
export {
  createKwokNodes,
  eksNodeGroup,
  type FakeNodeSpec,
  fakeNode,
  INSTANCE_TYPES,
  type InstanceType,
  isNodeReady,
  type NodeGroupOptions,
  nodeResources,
  waitForNodesReady,
} from './kube/kwok-nodes.ts';
export {
  KWOK_METRICS_DIR,
  kwokMetricsOptions,
  kwokResourceMetricsPath,
  type MetricsPipeline,
  type MetricsPipelineOptions,
  MIN_METRIC_RESOLUTION_SECONDS,
  metricsNodeAnnotations,
  metricsPipelineControlPlaneOptions,
  RESOURCE_METRICS_PATH_ANNOTATION,
  startMetricsPipeline,
} from './kube/metrics-pipeline.ts';
export type { CertKeyPair, ControlPlanePki } from './kube/pki.ts';
export { issueCertificate, type LeafSpec, PkiError } from './kube/pki.ts';
export { type ComponentHealth, sandboxHealth } from './lifecycle/health.ts';
export {
  controlRequest,
  type DownResult,
  requireSandbox,
  SandboxLifecycleError,
  type StatusResult,
  sandboxDown,
  sandboxStatus,
  sandboxUp,
  type UpOptions,
  type UpResult,
} from './lifecycle/lifecycle.ts';
export {
  processesMarkedWith,
  processesReferencing,
  type ResidualProcess,
  SANDBOX_MARKER_ENV,
} from './lifecycle/residue.ts';
export {
  DATA_PLANE_STAGES_DIR,
  POWER_LOSS_LEASE_HOLDER,
  SANDBOX_RELEASE,
  SANDBOX_TIMINGS,
  type Sandbox,
  type SandboxNode,
  type SandboxOptions,
  type SandboxProgress,
  startSandbox,
} from './lifecycle/sandbox.ts';
export { readSandboxState, type SandboxState, sandboxEnvExports } from './lifecycle/state.ts';
