export { FIXTURE_LIST_PATH, type FixtureSpec, readFixtureList } from './fixture-list.ts';
export {
  checkFixtureManifest,
  type FixtureManifest,
  type ManifestCheck,
  type ManifestEntry,
  REGENERATE_HINT,
  readFixtureManifest,
} from './fixture-manifest.ts';
export { IacError, type IacErrorCode } from './iac-error.ts';
export { detectIacTier, type IacTier, mirrorPathFromCliConfig } from './iac-tier.ts';
export { type GenerateOptions, generatePlanFixtures } from './plan-fixtures.ts';
export {
  type AppliedWorkspace,
  applyWorkspace,
  RESOURCE_HANDLERS,
  type SeededResource,
} from './seed/apply-workspace.ts';
export type { SeedTarget } from './seed/handler.ts';
export {
  eksNodeTags,
  NODE_INSTANCE_NOTE,
  type NodeInstance,
  type SeedNode,
} from './seed/node-instances.ts';
export {
  NOT_SEEDED_WORKSPACES,
  SEEDED_WORKSPACES,
  type SeededWorkspace,
  type SeedOptions,
  type SeedResult,
  seedAwsAccount,
  type TerraformOutputDocument,
  variableSource,
  workspacesNeededFor,
  writeOutputsDir,
} from './seed/seed-account.ts';
export { SEED_VARIANTS, type SeedVariant } from './seed/seed-variants.ts';
export {
  type EvaluatedResource,
  type EvaluatedWorkspace,
  evaluateTerraformRoot,
} from './seed/tfeval.ts';
export { hashTerraformSources, type SourceHash } from './source-hash.ts';
export { runTofu, runTofuOrThrow, type TofuOptions } from './tofu.ts';
export { lockedAwsVersion, motoProviderOverride, PLAN_FIXTURES_DIR } from './workspace-files.ts';
