import type { PolicyReport } from '../findings.ts';
import { formatGithub } from './github-annotations.ts';
import { formatJson, jsonChunks } from './json-report.ts';
import { formatJunit } from './junit-report.ts';
import { formatSarif } from './sarif-report.ts';
import { formatText, textChunks } from './text-report.ts';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'github'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const FORMATTERS: Readonly<Record<ReportFormat, (report: PolicyReport) => string>> = {
  text: formatText,
  json: formatJson,
  sarif: formatSarif,
  junit: formatJunit,
  github: formatGithub,
};

export function formatReport(report: PolicyReport, format: ReportFormat): string {
  return FORMATTERS[format](report);
}

/**
 * The report in pieces whose concatenation is `formatReport(report, format)`: JSON and text come
 * a finding (or a thousand lines) at a time, so a file can be written without the whole report
 * in memory as one string; the other formats come whole.
 */
export function* reportChunks(report: PolicyReport, format: ReportFormat): Generator<string> {
  if (format === 'json') yield* jsonChunks(report);
  else if (format === 'text') yield* textChunks(report);
  else yield formatReport(report, format);
}
