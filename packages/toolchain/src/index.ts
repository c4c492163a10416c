export {
  AWS_TEST_CREDENTIALS,
  type AwsEndpoint,
  type AwsTestCredentials,
  awsEnv,
  awsEnvExports,
  MOTO_DEFAULT_ACCOUNT_ID,
} from './aws-endpoint.ts';
export {
  ComponentStartError,
  ComponentStopError,
  type ExitInfo,
  isPidAlive,
  type ManagedProcess,
  type ManagedProcessOptions,
  readLogTail,
  type StopOptions,
  startManagedProcess,
  waitReady,
} from './managed-process.ts';
export { type MotoServer, type MotoServerOptions, startMotoServer } from './moto-server.ts';
export { isExecutableFile, type ResolvedTool, resolveTool, toolEnvVar } from './resolve-tool.ts';
export {
  checkTool,
  describeEnd,
  outputTail,
  type RunToolOptions,
  runTool,
  ToolFailedError,
  type ToolResult,
  ToolStartError,
  tailLines,
} from './run-tool.ts';
export { ToolNotFoundError } from './tool-not-found-error.ts';
export {
  readToolchainManifest,
  type ToolchainEntry,
  toolchainCacheDir,
} from './toolchain-manifest.ts';
