import {
  type BaseFinding,
  combineVerdicts,
  findingFromEvidence,
  getProperty,
  type Verdict,
} from '@stackproof/core';
import packageJson from '../../package.json' with { type: 'json' };
import type { LiveRun } from '../run-live-checks.ts';
import type { SettledUnknown } from './settle.ts';

/** One live verdict in the policy gate's report shape, plus what the live suite knows more. */
export interface LiveFinding extends BaseFinding {
  readonly title: string;
  /** The named part of the property, when it has several. */
  readonly check?: string;
  readonly expected?: string;
  readonly at: string;
}

export interface LiveSummary {
  readonly total: number;
  readonly pass: number;
  readonly fail: number;
  readonly skipped: number;
  /** Verdict per property (worst of its findings). */
  readonly properties: Readonly<Record<string, Verdict>>;
  /** No failure (skips are listed, never counted as passes). */
  readonly passed: boolean;
}

export interface LiveReport {
  readonly version: string;
  readonly phase: 'live';
  readonly target: {
    readonly outputs: string;
    readonly expectations: string;
    readonly kubeContext?: string;
    readonly awsEndpoint?: string;
  };
  readonly findings: readonly LiveFinding[];
  readonly summary: LiveSummary;
  readonly aws: LiveRun['aws'];
  readonly kubeRequests: number;
  readonly wallSeconds: number;
  readonly policyEvaluation?: string;
  /** `--settle`: the gate's unknowns and what the live run says about them. */
  readonly settled?: readonly SettledUnknown[];
}

export const LIVE_REPORT_VERSION: string = packageJson.version;

export function buildLiveReport(
  run: LiveRun,
  target: LiveReport['target'],
  settled?: readonly SettledUnknown[],
): LiveReport {
  const findings: LiveFinding[] = run.events.map((event) => {
    const property = getProperty(event.property);
    return {
      ...findingFromEvidence(event, property.severity),
      title: property.title,
      ...(event.check !== undefined ? { check: event.check } : {}),
      ...(event.expected !== undefined ? { expected: event.expected } : {}),
      at: event.at,
    };
  });
  const properties: Record<string, Verdict> = {};
  for (const id of run.properties) {
    properties[id] =
      combineVerdicts(findings.filter((f) => f.rule === id).map((f) => f.status)) ?? 'skipped';
  }
  const count = (status: Verdict) => findings.filter((f) => f.status === status).length;
  return {
    version: LIVE_REPORT_VERSION,
    phase: 'live',
    target,
    findings,
    summary: {
      total: findings.length,
      pass: count('pass'),
      fail: count('fail'),
      skipped: count('skipped'),
      properties,
      passed: count('fail') === 0,
    },
    aws: run.aws,
    kubeRequests: run.kubeRequests,
    wallSeconds: Math.round(run.wallMs) / 1000,
    ...(run.policyEvaluation !== undefined ? { policyEvaluation: run.policyEvaluation } : {}),
    ...(settled !== undefined ? { settled } : {}),
  };
}
