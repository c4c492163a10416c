export { type AwsErrorClass, classifyAwsError, LiveTargetError } from './aws/aws-errors.ts';
export {
  ApiCallCounter,
  type AwsClients,
  type AwsClientsOptions,
  type AwsCredentials,
  createAwsClients,
} from './aws/clients.ts';
export {
  type AwsSide,
  defineCheck,
  type LiveCheck,
  type LiveContext,
  type Side,
  Verdicts,
} from './checks/check.ts';
export { LIVE_SUITE_ACTIONS } from './checks/iam.ts';
export { LIVE_CHECKS, liveCheckFor } from './checks/registry.ts';
export { liveTargetOptionsFromEnv } from './env-target.ts';
export {
  DEFAULT_LIVE_EXPECTATIONS,
  type LiveExpectations,
  liveWorkspaces,
  parseLiveExpectations,
} from './inputs/live-expectations.ts';
export {
  MissingWorkspaceError,
  readStackOutputs,
  StackOutputs,
  type TerraformOutputs,
  TerraformOutputsError,
} from './inputs/terraform-outputs.ts';
export { KubeConfigError, KubeReads, loadKubeConfig } from './k8s/kube-reads.ts';
export {
  LiveInputError,
  type LiveTarget,
  type LiveTargetOptions,
  openLiveTarget,
} from './live-target.ts';
export {
  evaluateLocally,
  localPolicyEvaluator,
  type PolicyDecision,
  type PolicyEvaluator,
  type PolicyQuestion,
} from './policy-evaluation.ts';
export {
  formatLiveJson,
  formatLiveJunit,
  formatLiveReport,
  formatLiveText,
  LIVE_REPORT_FORMATS,
  type LiveReportFormat,
} from './report/formats.ts';
export {
  buildLiveReport,
  type LiveFinding,
  type LiveReport,
  type LiveSummary,
} from './report/live-report.ts';
export {
  type GateFinding,
  GateReportError,
  readGateUnknowns,
  type SettledUnknown,
  settleUnknowns,
} from './report/settle.ts';
export { type LiveRun, type RunOptions, runLiveChecks } from './run-live-checks.ts';
