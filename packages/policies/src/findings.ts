import { type BaseFinding, type Severity, severityRank, type Verdict } from '@stackproof/core';
import type { RuleMetadata } from './policy-bundle.ts';
import type { Waiver } from './waivers.ts';

/** The verdicts the gate gives: core's, without `skipped` (every applicable rule is evaluated). */
export type FindingStatus = Extract<Verdict, 'pass' | 'fail' | 'unknown' | 'waived'>;

/**
 * One verdict of one rule on one resource (core's finding), joined with the rule's metadata and
 * its source line.
 */
export interface Finding extends BaseFinding {
  readonly title: string;
  readonly status: FindingStatus;
  readonly resourceType: string;
  readonly remediation: string;
  readonly file?: string;
  readonly line?: number;
  /** The input (plan or manifest set) the finding came from. */
  readonly input: string;
  /** For `unknown`: the live check (same id) that settles the property after apply. */
  readonly liveCheck?: string;
  /** For `waived`: the waiver that covered it. */
  readonly waiver?: Waiver;
  /** For `waived`: what the policy said before the waiver (fail or unknown). */
  readonly waivedStatus?: 'fail' | 'unknown';
}

export interface CheckSummary {
  readonly total: number;
  readonly pass: number;
  readonly fail: number;
  readonly unknown: number;
  readonly waived: number;
  /** Failures per severity. */
  readonly failBySeverity: Readonly<Record<Severity, number>>;
  readonly failOn: Severity;
  readonly failOnUnknown: boolean;
  /** Findings that break the threshold (what makes the run fail). */
  readonly blocking: number;
  readonly expiredWaivers: readonly Waiver[];
  readonly unmatchedWaivers: readonly Waiver[];
  readonly skippedFiles: readonly { readonly file: string; readonly reason: string }[];
  /** What the reader of the report should know about how the inputs were read. */
  readonly notes: readonly string[];
  readonly inputs: readonly string[];
  readonly passed: boolean;
}

export interface PolicyReport {
  readonly version: string;
  readonly findings: readonly Finding[];
  readonly rules: readonly RuleMetadata[];
  readonly summary: CheckSummary;
}

/** Whether a finding makes the run fail under the given threshold. */
export function isBlocking(finding: Finding, failOn: Severity, failOnUnknown: boolean): boolean {
  if (severityRank(finding.severity) < severityRank(failOn)) return false;
  return finding.status === 'fail' || (failOnUnknown && finding.status === 'unknown');
}

const STATUS_ORDER: Readonly<Record<FindingStatus, number>> = {
  fail: 0,
  unknown: 1,
  waived: 2,
  pass: 3,
};

/** Most severe first; failures before unknowns; then by rule and address. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)
  );
}

export function summarize(
  findings: readonly Finding[],
  options: {
    failOn: Severity;
    failOnUnknown: boolean;
    expiredWaivers: readonly Waiver[];
    unmatchedWaivers: readonly Waiver[];
    skippedFiles: readonly { file: string; reason: string }[];
    notes?: readonly string[];
    inputs: readonly string[];
  },
): CheckSummary {
  const failBySeverity: Record<Severity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  const counts = { pass: 0, fail: 0, unknown: 0, waived: 0 };
  let blocking = 0;
  for (const finding of findings) {
    counts[finding.status]++;
    if (finding.status === 'fail') failBySeverity[finding.severity]++;
    if (isBlocking(finding, options.failOn, options.failOnUnknown)) blocking++;
  }
  return {
    total: findings.length,
    ...counts,
    failBySeverity,
    failOn: options.failOn,
    failOnUnknown: options.failOnUnknown,
    blocking,
    expiredWaivers: options.expiredWaivers,
    unmatchedWaivers: options.unmatchedWaivers,
    skippedFiles: options.skippedFiles,
    notes: options.notes ?? [],
    inputs: options.inputs,
    passed: blocking === 0 && options.expiredWaivers.length === 0,
  };
}
