import type { PolicyReport } from '../findings.ts';
import { formatGithub } from './github-annotations.ts';
import { formatJson } from './json-report.ts';
import { formatJunit } from './junit-report.ts';
import { formatSarif } from './sarif-report.ts';
import { formatText } from './text-report.ts';

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
