export { K6RunError, K6SummaryError, K6TimeoutError } from './k6-errors.ts';
export {
  K6_EXIT_THRESHOLDS_FAILED,
  type K6RunOptions,
  type K6RunResult,
  runK6,
} from './k6-run.ts';
export { type K6Summary, parseSummaryExport, type ThresholdResult } from './k6-summary.ts';
export { type LoadScriptName, loadScript } from './load-scripts.ts';
