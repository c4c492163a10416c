import { describeMeasure, type EvidenceEvent, type Verdict } from '@stackproof/core';
import {
  type ChartSeries,
  type HtmlBlock,
  htmlPage,
  type JUnitCase,
  junitCaseFromEvidence,
  junitXml,
  section,
  summary as summaryBlock,
  type TimeWindow,
  table,
  text,
  timeSeriesChart,
} from '@stackproof/report';
import type { ChaosTimeline } from './analysis.ts';
import type { ResidueItem } from './faults/fault.ts';

/** How a run ended. */
export type ChaosOutcome =
  /** The fault window ran its course and everything was rolled back. */
  | 'completed'
  /** The steady-state probe spent its error budget: rolled back early (the stop condition). */
  | 'aborted'
  /** SIGINT, SIGTERM or the caller's AbortSignal: rolled back early. */
  | 'interrupted'
  /** An injection or another step failed: what was injected was rolled back. */
  | 'failed';

/** `summary.json`: the run's verdict and what it rests on. */
export interface ChaosSummary {
  readonly experiment: string;
  readonly description: string;
  readonly target: string;
  readonly verdict: Verdict;
  readonly passed: boolean;
  readonly outcome: ChaosOutcome;
  /** Why the run ended early, or what failed. */
  readonly reason?: string;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly faults: readonly {
    readonly id: string;
    readonly kind: string;
    readonly target: string;
    readonly injected: boolean;
    readonly rolledBack: boolean;
    readonly error?: string;
  }[];
  /** What the target still holds after the rollback (asked of the target, not the journal). */
  readonly residue: readonly ResidueItem[];
  /** t0 → every fault in effect; rollback start → no residue (seconds). */
  readonly timings: {
    readonly injectSeconds?: number;
    readonly cleanupSeconds?: number;
    readonly detectedAfterSeconds?: number;
    readonly recoveredAfterSeconds?: number;
    readonly rdsDowntimeSeconds?: number;
    readonly failedShare?: number;
  };
  readonly evidence: readonly EvidenceEvent[];
  /** Live checks of the experiment's properties before and after (informational). */
  readonly checks: {
    readonly before: readonly EvidenceEvent[];
    readonly after: readonly EvidenceEvent[];
  };
  /**
   * AWS API calls of the run (`EC2.DescribeNetworkAcls` → count): the faults, the guards and the
   * live checks before and after. What the chaos IAM role must allow.
   */
  readonly awsCalls: Readonly<Record<string, number>>;
  /** Lines a reader must see: each broken bound, rollback failure and residue. */
  readonly failures: readonly string[];
  readonly files: Readonly<Record<string, string>>;
}

/** junit.xml: one case per measure, per rollback, and the residue check. */
export function chaosJunit(summary: ChaosSummary): string {
  const classname = `chaos.${summary.experiment}`;
  const cases: JUnitCase[] = summary.evidence.map(junitCaseFromEvidence);
  for (const fault of summary.faults) {
    cases.push({
      name: `rollback ${fault.kind} (${fault.target})`,
      classname,
      status: fault.rolledBack ? 'passed' : 'failed',
      ...(fault.rolledBack
        ? {
            output: fault.injected
              ? 'rolled back and journaled'
              : 'never injected; nothing to undo',
          }
        : { message: fault.error ?? 'not rolled back: the journal entry stays pending' }),
    });
  }
  cases.push({
    name: 'no residue (asked of the target)',
    classname,
    status: summary.residue.length === 0 ? 'passed' : 'failed',
    ...(summary.residue.length === 0
      ? { output: 'the target holds nothing the faults changed' }
      : {
          message: `${summary.residue.length} thing(s) left: ${summary.residue.map((r) => `${r.resource} (${r.detail})`).join('; ')}`,
        }),
  });
  if (summary.outcome !== 'completed') {
    cases.push({
      name: `run ${summary.outcome}`,
      classname,
      status: 'failed',
      message: summary.reason ?? summary.outcome,
    });
  }
  return junitXml([
    {
      name: `stackproof chaos ${summary.experiment}`,
      timestamp: summary.startedAt,
      timeSeconds: summary.durationSeconds,
      properties: {
        experiment: summary.experiment,
        target: summary.target,
        outcome: summary.outcome,
      },
      cases,
    },
  ]);
}

const PALETTE = ['#1f77b4', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];

/** One series per key found in any point's record (a Service, a zone, a Deployment). */
function seriesOf(
  timeline: ChaosTimeline,
  pick: (p: ChaosTimeline['points'][number]) => Readonly<Record<string, number>>,
  unit?: string,
): ChartSeries[] {
  const keys = [...new Set(timeline.points.flatMap((p) => Object.keys(pick(p))))].sort();
  return keys.map((key, i) => ({
    label: key,
    values: timeline.points.map((p) => pick(p)[key] ?? null),
    color: PALETTE[i % PALETTE.length] as string,
    ...(unit === undefined ? {} : { unit }),
  }));
}

/** report.html: verdict, charts with the fault windows shaded, measures, faults, residue. */
export function chaosReportHtml(summary: ChaosSummary, timeline: ChaosTimeline): string {
  const x = timeline.points.map((p) => p.t);
  // The faults of an experiment go in and out together (within a second or two): one shaded
  // window from the first injection to the last rollback, named after them, reads better than
  // several stacked ones; the table below has each fault's own times.
  const injected = timeline.faults.filter((f) => f.injectedAt !== undefined);
  const windows: TimeWindow[] =
    injected.length === 0
      ? []
      : [
          {
            // From the first entry on disk: the injection starts right after it.
            from: Math.min(...injected.map((f) => f.journaledAt)) / 1000,
            to:
              Math.max(
                ...injected.map((f) => f.rolledBackAt ?? f.rollbackStartedAt ?? timeline.endMs),
              ) / 1000,
            label: `faults in effect: ${[...new Set(injected.map((f) => f.kind))].join(', ')}`,
            kind: 'fault',
          },
        ];
  const blocks: HtmlBlock[] = [
    summaryBlock({
      status: summary.verdict,
      headline: summary.passed
        ? `Held: ${summary.description}; rolled back, no residue`
        : `Not held: ${summary.failures.length} problem(s)${summary.outcome === 'completed' ? '' : ` (run ${summary.outcome})`}`,
      facts: [
        ['experiment', summary.experiment],
        ['target', summary.target],
        ['started', summary.startedAt],
        ['duration', `${summary.durationSeconds} s`],
        [
          'outcome',
          summary.reason === undefined ? summary.outcome : `${summary.outcome}: ${summary.reason}`,
        ],
        [
          'residue',
          summary.residue.length === 0
            ? 'none (asked of the target)'
            : `${summary.residue.length} item(s)`,
        ],
      ],
    }),
  ];
  if (summary.failures.length > 0) {
    blocks.push(section('What broke', text(summary.failures.join('\n'), { preformatted: true })));
  }
  const charts: HtmlBlock[] = [
    timeSeriesChart({
      title: 'Steady load (requests per second)',
      x,
      windows,
      series: [
        {
          label: 'sent',
          unit: 'req/s',
          values: timeline.points.map((p) => p.requests),
          color: '#1f77b4',
        },
        {
          label: 'failed',
          unit: 'req/s',
          values: timeline.points.map((p) => p.failed),
          color: '#d62728',
        },
      ],
    }),
    timeSeriesChart({
      title: 'Latency p95 (ms)',
      x,
      windows,
      series: [
        { label: 'p95', unit: 'ms', values: timeline.points.map((p) => p.p95Ms), color: '#ff7f0e' },
      ],
    }),
    timeSeriesChart({
      title: 'SQL probe through the database endpoint (one connection and query a second)',
      x,
      windows,
      series: [
        {
          label: 'query ms',
          unit: 'ms',
          values: timeline.points.map((p) => (p.sqlOk === true ? p.sqlMs : null)),
          color: '#2ca02c',
        },
        {
          label: 'failed',
          values: timeline.points.map((p) => (p.sqlOk === false ? 1 : p.sqlOk === true ? 0 : null)),
          color: '#d62728',
          axis: 'right',
        },
      ],
    }),
    timeSeriesChart({
      title: 'Ready endpoints per Service (EndpointSlices)',
      x,
      windows,
      series: seriesOf(timeline, (p) => p.endpoints),
    }),
    timeSeriesChart({
      title: 'Ready pods per zone',
      x,
      windows,
      series: seriesOf(timeline, (p) => p.podsByZone),
    }),
    timeSeriesChart({
      title: 'Ready nodes per zone',
      x,
      windows,
      series: seriesOf(timeline, (p) => p.nodesReady),
    }),
    timeSeriesChart({
      title: 'Ready replicas per Deployment',
      x,
      windows,
      series: seriesOf(timeline, (p) => p.replicasReady),
    }),
  ];
  blocks.push(section('Timeline (one clock; faults shaded)', ...charts));
  blocks.push(
    table({
      title: 'Measures',
      columns: [
        { key: 'property', label: 'property' },
        { key: 'check', label: 'check' },
        { key: 'status', label: 'verdict' },
        { key: 'measured', label: 'measured (bound)' },
        { key: 'detail', label: 'detail' },
      ],
      rows: summary.evidence.map((e) => ({
        property: e.property,
        check: e.check ?? '',
        status: { text: e.status, status: e.status },
        measured: e.measure === undefined ? '—' : describeMeasure(e.measure),
        detail: e.expected === undefined ? e.detail : `${e.detail}; expected ${e.expected}`,
      })),
    }),
    table({
      title: 'Faults (journaled before each injection; rolled back in reverse order)',
      columns: [
        { key: 'kind', label: 'fault' },
        { key: 'target', label: 'target' },
        { key: 'injected', label: 'injected at' },
        { key: 'rolledBack', label: 'rolled back at' },
        { key: 'status', label: 'rollback' },
      ],
      rows: timeline.faults.map((f) => ({
        kind: f.kind,
        target: f.target,
        injected:
          f.injectedAt === undefined
            ? (f.injectError ?? '—')
            : new Date(f.injectedAt).toISOString(),
        rolledBack: f.rolledBackAt === undefined ? '—' : new Date(f.rolledBackAt).toISOString(),
        status:
          f.rollbackError === undefined
            ? {
                text: f.rolledBackAt === undefined ? 'not run' : 'ok',
                status: f.rolledBackAt === undefined ? 'skipped' : 'pass',
              }
            : { text: f.rollbackError, status: 'fail' },
      })),
    }),
    table({
      title: 'Residue (asked of the target after the rollback)',
      columns: [
        { key: 'resource', label: 'resource' },
        { key: 'detail', label: 'what is left' },
      ],
      rows:
        summary.residue.length === 0
          ? [
              {
                resource: { text: 'none', status: 'pass' },
                detail: 'nothing the faults changed is left',
              },
            ]
          : summary.residue.map((r) => ({
              resource: { text: r.resource, status: 'fail' },
              detail: r.detail,
            })),
    }),
    table({
      title: 'Events',
      columns: [
        { key: 'at', label: 'at' },
        { key: 'what', label: 'what' },
      ],
      rows: timeline.events.map((e) => ({ at: new Date(e.at).toISOString(), what: e.what })),
    }),
  );
  const checks = [
    ...summary.checks.before.map((e) => ({ when: 'before', e })),
    ...summary.checks.after.map((e) => ({ when: 'after', e })),
  ];
  if (checks.length > 0) {
    blocks.push(
      table({
        title: "Live checks of the experiment's properties, before and after",
        columns: [
          { key: 'when', label: 'when' },
          { key: 'property', label: 'property' },
          { key: 'status', label: 'verdict' },
          { key: 'subject', label: 'subject' },
          { key: 'detail', label: 'detail' },
        ],
        rows: checks.map(({ when, e }) => ({
          when,
          property: e.property,
          status: { text: e.status, status: e.status },
          subject: e.subject,
          detail: e.detail,
        })),
      }),
    );
  }
  return htmlPage({
    title: `stackproof chaos: ${summary.experiment}`,
    subtitle: `${summary.description} · ${summary.target} · ${summary.startedAt}`,
    blocks,
  });
}
