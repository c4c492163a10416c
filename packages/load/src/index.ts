export { aggregateLoadRun, findRunnerOutputs, NoRunnerOutputsError } from './aggregate.ts';
export {
  judgeRun,
  type LoadSummary,
  type RunPlan,
  RunPlanError,
  readRunPlan,
} from './judge.ts';
export { K6RunError, K6SummaryError, K6TimeoutError } from './k6-errors.ts';
export {
  inspectScript,
  type LoadPlan,
  type PlannedPhase,
  type PlannedThreshold,
  parseK6Duration,
  planFromOptions,
} from './k6-plan.ts';
export {
  K6_EXIT_THRESHOLDS_FAILED,
  type K6RunOptions,
  type K6RunResult,
  runK6,
} from './k6-run.ts';
export { K6OutputError, type K6Sample, readK6Output, type SampleSink } from './k6-samples.ts';
export { type K6Summary, parseSummaryExport, type ThresholdResult } from './k6-summary.ts';
export {
  LOAD_DEFAULTS,
  type LoadExpectations,
  parseLoadExpectations,
  SCENARIOS,
  type ScenarioName,
} from './load-expectations.ts';
export { type LoadScriptName, loadScript } from './load-scripts.ts';
export {
  type OperatorManifestOptions,
  operatorManifest,
} from './operator-manifest.ts';
export { formatProgress, type ProgressSnapshot, ProgressTailer } from './progress.ts';
export {
  executionSegments,
  K6ExtensionMissingError,
  LoadRunInputError,
  type LoadRunOptions,
  type LoadRunOverrides,
  type LoadRunResult,
  type PreparedRun,
  prepareRun,
  requireK6WithKubernetes,
  runLoad,
  scenarioEnv,
} from './run-load.ts';
export {
  SCALE_OUT_PROPERTY,
  type ScaleOutBounds,
  type ScaleOutTimings,
  scaleOutEvidence,
  scaleOutTimings,
  thresholdEvidence,
} from './scale-out-contract.ts';
export {
  k6Percentile,
  ThresholdEvaluator,
  ThresholdExpressionError,
  type ThresholdVerdict,
} from './thresholds.ts';
export { CLUSTER_METRICS, type Timeline, TimelineBuilder, type TimelinePoint } from './timeline.ts';
