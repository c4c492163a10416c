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
export {
  getWorkspace,
  outputsFileName,
  readWorkspaces,
  UPSTREAM_TFVARS_FILE,
  upstreamInputs,
  upstreamOf,
  type WorkspaceInput,
  type WorkspaceSpec,
  WORKSPACES_FILE,
  writeInputsFile,
} from './workspaces.ts';
