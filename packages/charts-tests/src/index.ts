export {
  createNamespace,
  type DryRunOutcome,
  dryRunObjects,
  installCrds,
} from './apiserver-dry-run.ts';
export {
  crdFixturesDir,
  manifestFixturesDir,
  manifestValuesFixturesDir,
  targetKubeVersion,
  workloadsChartDir,
} from './chart-layout.ts';
export { chartSourcesSha256 } from './chart-sources-hash.ts';
export {
  type ChartValues,
  helmBinary,
  lintChart,
  type RenderOptions,
  renderChart,
} from './helm.ts';
export { HelmError } from './helm-error.ts';
export {
  KubeRawClient,
  KubeRequestError,
  type RawResponse,
  statusMessage,
} from './kube-raw-client.ts';
export { describeObject, parseManifests } from './kubernetes-objects.ts';
export {
  type FixtureDirs,
  findStaleManifestFixtures,
  fixtureDirs,
  fixtureRelease,
  generateManifestFixtures,
  type ManifestFixtureEntry,
  type ManifestFixtureIndex,
  regenerateCommand,
} from './manifest-fixtures.ts';
export { type ManifestVariant, manifestVariants, propertyIds } from './manifest-variants.ts';
export { topLevelValueDocs, type ValueDoc } from './values-docs.ts';
