export {
  PolicyBundleError,
  PolicyInputError,
  type PolicyInputErrorCode,
  WaiverFileError,
} from './errors.ts';
export {
  type CheckSummary,
  type Finding,
  type FindingStatus,
  isBlocking,
  type PolicyReport,
} from './findings.ts';
export {
  formatReport,
  REPORT_FORMATS,
  type ReportFormat,
  reportChunks,
} from './formats/report-format.ts';
export { buildSarif } from './formats/sarif-report.ts';
export { summaryLine } from './formats/text-report.ts';
export {
  type LoadedManifests,
  type ManifestObject,
  readManifests,
} from './kubernetes-manifests.ts';
export type { PlanReads, TypeReads } from './plan-reads.ts';
export { type PlanShard, planShards } from './plan-shards.ts';
export {
  type BundleContract,
  DEFAULT_BUNDLE_WASM,
  PolicyBundle,
  type PolicyEvaluation,
  type PolicyResult,
  type RuleMetadata,
} from './policy-bundle.ts';
export {
  type EvaluationProgress,
  type PolicyCheckOptions,
  runPolicyCheck,
} from './policy-check.ts';
export {
  type CollectedInputs,
  type LoadOptions,
  loadPolicyInputs,
  type PolicyInput,
} from './policy-inputs.ts';
export { SENSITIVE_PLACEHOLDER } from './redact.ts';
export {
  computeRegoSourcesHash,
  DEFAULT_REGO_DIR,
  DEFAULT_SOURCES_HASH_FILE,
  readRecordedSourcesHash,
} from './rego-sources-hash.ts';
export { type ParsedAddress, parseResourceAddress } from './resource-address.ts';
export { type SourceLocation, SourceLocator } from './source-locations.ts';
export {
  type LoadedTerraformPlan,
  type ReadPlanOptions,
  readTerraformPlan,
  type TerraformPlanDocument,
} from './terraform-plan.ts';
export { parseWaivers, readWaivers, type Waiver } from './waivers.ts';
