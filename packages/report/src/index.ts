export {
  type ChartSeries,
  ChartSpecError,
  escapeHtml,
  evidenceTable,
  type HtmlBlock,
  type HtmlPageSpec,
  htmlPage,
  type SummarySpec,
  section,
  summary,
  type TableCell,
  type TableSpec,
  type TimeSeriesChartSpec,
  type TimeWindow,
  table,
  text,
  timeSeriesChart,
} from './html-page.ts';
export {
  escapeXml,
  type JUnitCase,
  type JUnitStatus,
  type JUnitSuite,
  junitCaseFromEvidence,
  junitXml,
} from './junit.ts';
export { writeReportFile } from './write-report.ts';
