/**
 * The verdict vocabulary shared by the policy gate, the live suite, load and chaos:
 * - `pass`, `fail`: the property holds or does not, with evidence;
 * - `unknown`: nobody can know yet (a value only known after apply); names the proof that settles it;
 * - `waived`: a failure or unknown accepted by a dated waiver;
 * - `skipped`: not checked, always with the reason. A skip is never a pass.
 */
export type Verdict = 'pass' | 'fail' | 'unknown' | 'waived' | 'skipped';

export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'unknown', 'waived', 'skipped'];

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** Lowest first: index order is rank order. */
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isVerdict(value: unknown): value is Verdict {
  return VERDICTS.includes(value as Verdict);
}

export function isSeverity(value: unknown): value is Severity {
  return SEVERITIES.includes(value as Severity);
}

/** Worst first: what one property's verdict is when several pieces of evidence disagree. */
const VERDICT_WEIGHT: Readonly<Record<Verdict, number>> = {
  fail: 0,
  unknown: 1,
  skipped: 2,
  waived: 3,
  pass: 4,
};

/** Orders verdicts worst first (fail, unknown, skipped, waived, pass). */
export function compareVerdicts(a: Verdict, b: Verdict): number {
  return VERDICT_WEIGHT[a] - VERDICT_WEIGHT[b];
}

/**
 * The verdict of a set: any fail fails, then any unknown; a set that only skipped is skipped (not
 * passed); `undefined` for an empty set (nothing said anything).
 */
export function combineVerdicts(verdicts: Iterable<Verdict>): Verdict | undefined {
  let worst: Verdict | undefined;
  for (const verdict of verdicts) {
    if (worst === undefined || compareVerdicts(verdict, worst) < 0) worst = verdict;
  }
  return worst;
}

/**
 * One verdict on one subject for one property: the shape every report shares. The policy gate's
 * finding extends it (title, remediation, source line…); the live suite's JSON report uses it as
 * is, so one reader serves both.
 */
export interface BaseFinding {
  /** The property id (`rds.multi-az`). */
  readonly rule: string;
  readonly status: Verdict;
  readonly severity: Severity;
  /** What was judged: a resource address, an ARN, `namespace/name`. */
  readonly address: string;
  /** What was seen and, on a failure, what was expected. */
  readonly message: string;
}
