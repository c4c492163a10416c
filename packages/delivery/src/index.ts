export {
  backendSettingsPath,
  ENVIRONMENTS_DIR,
  listEnvironments,
  parseBackendSettings,
  REQUIRED_BACKEND_SETTINGS,
  readBackendSettings,
  rootStateKey,
} from './backends.ts';
export {
  CHECKOV_VERSION,
  type CheckovResult,
  type CheckovScan,
  describeCheckovResult,
  runCheckov,
} from './checkov.ts';
export { DeliveryError, type DeliveryErrorCode } from './delivery-error.ts';
export { findUnpinnedActions, type UnpinnedAction } from './workflows/action-pins.ts';
export { type ActionlintResult, runActionlint } from './workflows/actionlint.ts';
export {
  type CheckWorkflowsOptions,
  checkWorkflows,
  describeWorkflowProblem,
  type HelpAnswer,
  realCli,
  requiredVariables,
  type WorkflowProblem,
} from './workflows/workflow-check.ts';
export {
  getWorkspace,
  outputsFileName,
  readWorkspaces,
  UPSTREAM_TFVARS_FILE,
  upstreamInputs,
  upstreamOf,
  WORKSPACES_FILE,
  type WorkspaceInput,
  type WorkspaceSpec,
  writeInputsFile,
} from './workspaces.ts';
