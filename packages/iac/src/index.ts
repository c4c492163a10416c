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
export { hashTerraformSources, type SourceHash } from './source-hash.ts';
export { runTofu, runTofuOrThrow, type TofuOptions } from './tofu.ts';
export { lockedAwsVersion, motoProviderOverride, PLAN_FIXTURES_DIR } from './workspace-files.ts';
