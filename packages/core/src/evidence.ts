import { type BaseFinding, isVerdict, type Severity, type Verdict } from './verdicts.ts';

/** Which proof produced the evidence: the plan gate, the live suite, a load run, a chaos run. */
export type Phase = 'plan' | 'live' | 'load' | 'chaos';

export const PHASES: readonly Phase[] = ['plan', 'live', 'load', 'chaos'];

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A bound a measure is held to: `value op limit` must hold (`recovery_s <= 90`). */
export interface Bound {
  readonly op: '<=' | '<' | '>=' | '>';
  readonly limit: number;
}

/** A number the run measured (time to recover, p95 latency, replicas reached). */
export interface Measure {
  readonly name: string;
  readonly value: number;
  /** `s`, `ms`, `requests`, `replicas`, `ratio`… */
  readonly unit: string;
  readonly bound?: Bound;
}

/**
 * One piece of evidence about one property: the live suite, load and chaos emit these, and every
 * report (text, JSON, JUnit, HTML) joins them by `property`. Events are plain JSON so they can be
 * appended to a JSON-lines file as they happen and read back after a crash.
 */
export interface EvidenceEvent {
  /** When it was observed, ISO 8601 with milliseconds (`new Date().toISOString()`). */
  readonly at: string;
  /** Property id from the catalogue (`k8s.pdb-allows-disruption`). */
  readonly property: string;
  readonly phase: Phase;
  readonly status: Verdict;
  /** What was judged: an ARN, a resource address, `namespace/name`, a zone. */
  readonly subject: string;
  /** What was seen, in one sentence; for a skip, why nothing was checked. */
  readonly detail: string;
  /** On a fail: what would have passed. */
  readonly expected?: string;
  /** The named check within the property (`desired-replicas-rise`), when a property has several. */
  readonly check?: string;
  readonly measure?: Measure;
  /** Structured observations (pods per zone, the API answer) for machines and the HTML report. */
  readonly data?: { readonly [key: string]: JsonValue };
}

export type EvidenceInput = Omit<EvidenceEvent, 'at'> & { readonly at?: string | Date };

/** Builds an event, stamping `at` with the current time unless given. */
export function evidence(input: EvidenceInput): EvidenceEvent {
  const { at, ...rest } = input;
  const stamp = at === undefined ? new Date() : at;
  return { at: typeof stamp === 'string' ? stamp : stamp.toISOString(), ...rest };
}

/** Whether `value op limit` holds. */
export function withinBound(value: number, bound: Bound): boolean {
  switch (bound.op) {
    case '<=':
      return value <= bound.limit;
    case '<':
      return value < bound.limit;
    case '>=':
      return value >= bound.limit;
    case '>':
      return value > bound.limit;
  }
}

/** `12.4 s <= 90 s`: a measure and its bound as people read it. */
export function describeMeasure(measure: Measure): string {
  const value = `${Number.isInteger(measure.value) ? measure.value : measure.value.toFixed(2)} ${measure.unit}`;
  if (measure.bound === undefined) return `${measure.name} ${value}`;
  return `${measure.name} ${value} (bound ${measure.bound.op} ${measure.bound.limit} ${measure.unit})`;
}

/**
 * An event judged by its measure: pass when the measure is within its bound, fail with the bound
 * as `expected` otherwise.
 */
export function measuredEvidence(
  input: Omit<EvidenceInput, 'status' | 'detail' | 'measure' | 'expected'> & {
    readonly measure: Measure & { readonly bound: Bound };
    readonly detail?: string;
  },
): EvidenceEvent {
  const { measure, detail, ...rest } = input;
  const ok = withinBound(measure.value, measure.bound);
  const described = describeMeasure(measure);
  return evidence({
    ...rest,
    measure,
    status: ok ? 'pass' : 'fail',
    detail: detail === undefined ? described : `${detail}: ${described}`,
    ...(ok
      ? {}
      : { expected: `${measure.name} ${measure.bound.op} ${measure.bound.limit} ${measure.unit}` }),
  });
}

/** The report shape shared with the policy gate (`findings[]`): one finding per event. */
export function findingFromEvidence(event: EvidenceEvent, severity: Severity): BaseFinding {
  const expected =
    event.status === 'fail' && event.expected !== undefined ? `; expected ${event.expected}` : '';
  return {
    rule: event.property,
    status: event.status,
    severity,
    address: event.subject,
    message: `${event.detail}${expected}`,
  };
}

/**
 * Checks that `value` is an evidence event (for files written by another run). Returns the
 * problems, empty when it is one.
 */
export function evidenceProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ['not an object'];
  }
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ['at', 'property', 'subject', 'detail'] as const) {
    if (typeof v[key] !== 'string') problems.push(`${key} is not a string`);
  }
  if (typeof v.at === 'string' && Number.isNaN(Date.parse(v.at))) problems.push('at is not a date');
  if (!PHASES.includes(v.phase as Phase)) problems.push(`phase is not one of ${PHASES.join(', ')}`);
  if (!isVerdict(v.status)) problems.push('status is not a verdict');
  return problems;
}
