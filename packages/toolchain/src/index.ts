export { type ResolvedTool, resolveTool, toolEnvVar } from './resolve-tool.ts';
export { ToolNotFoundError } from './tool-not-found-error.ts';
export {
  readToolchainManifest,
  type ToolchainEntry,
  toolchainCacheDir,
} from './toolchain-manifest.ts';
