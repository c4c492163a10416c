import { join } from 'node:path';
import {
  combineVerdicts,
  type EvidenceEvent,
  getProperty,
  isPropertyId,
  type Phase,
  PROPERTIES,
  type Verdict,
} from '@stackproof/core';
import {
  type HtmlBlock,
  htmlPage,
  type JUnitCase,
  junitCaseFromEvidence,
  junitXml,
  section,
  summary,
  type TableCell,
  type TimeWindow,
  table,
  text,
  timeSeriesChart,
  writeReportFile,
} from '@stackproof/report';
import type { GameDayResult, GameDayTimeline } from './run-gameday.ts';

/** The property table's evidence columns: which proof, from which stage. */
export const PROPERTY_COLUMNS = [
  { key: 'plan', label: 'plan (gate)', phase: 'plan', stages: ['preflight'] },
  { key: 'live', label: 'live (preflight)', phase: 'live', stages: ['preflight'] },
  { key: 'load', label: 'load (scale-out)', phase: 'load', stages: ['scale-out'] },
  {
    key: 'chaos',
    label: 'chaos (outage, recovery)',
    phase: 'chaos',
    stages: ['outage', 'recovery'],
  },
  { key: 'liveAfter', label: 'live (after)', phase: 'live', stages: ['live-after'] },
] as const satisfies readonly {
  key: string;
  label: string;
  phase: Phase;
  stages: readonly string[];
}[];
export type PropertyColumn = (typeof PROPERTY_COLUMNS)[number]['key'];

/** One row of the property table: a verdict per column, `—` where the proof does not apply. */
export interface PropertyRow {
  readonly property: string;
  readonly title: string;
  readonly verdicts: Readonly<Record<PropertyColumn, Verdict | '—' | 'no evidence'>>;
  readonly overall: Verdict;
}

function stageOf(e: EvidenceEvent): string | undefined {
  const stage = e.data?.stage;
  return typeof stage === 'string' ? stage : undefined;
}

/** Whether the catalogue says a column's proof exists for the property. */
function applies(property: string, column: PropertyColumn): boolean {
  if (!isPropertyId(property)) return false;
  const info = getProperty(property);
  switch (column) {
    case 'plan':
      return info.plan.rule !== undefined;
    case 'live':
    case 'liveAfter':
      return info.live.checked;
    case 'load':
      return info.chaos?.exercised === true && info.chaos.experiments.includes('load');
    case 'chaos':
      return (
        info.chaos?.exercised === true &&
        info.chaos.experiments.some((x) => x === 'az-outage' || x === 'rds-failover')
      );
  }
}

/**
 * The table the report opens with: every property the catalogue holds or the run produced
 * evidence for, with the combined verdict per column. A column the catalogue says applies but a
 * stage that ran produced nothing for reads `no evidence`; a stage that did not run reads `skipped`.
 */
export function propertyRows(result: GameDayResult): PropertyRow[] {
  const ran = new Set(result.stages.filter((s) => s.status !== 'skipped').map((s) => s.name));
  const ids = [
    ...PROPERTIES.map((p) => p.id),
    ...new Set(result.evidence.map((e) => e.property).filter((id) => !isPropertyId(id))),
  ];
  const rows: PropertyRow[] = [];
  for (const property of ids) {
    const mine = result.evidence.filter((e) => e.property === property);
    const verdicts = {} as Record<PropertyColumn, Verdict | '—' | 'no evidence'>;
    for (const column of PROPERTY_COLUMNS) {
      const events = mine.filter(
        (e) =>
          e.phase === column.phase &&
          (column.stages as readonly string[]).includes(stageOf(e) ?? ''),
      );
      const verdict = combineVerdicts(events.map((e) => e.status));
      if (verdict !== undefined) verdicts[column.key] = verdict;
      else if (!applies(property, column.key)) verdicts[column.key] = '—';
      else if (column.key === 'plan' && !gated(property, result.gate)) {
        // The gate ran, but not on what holds this property (no plan given, or no chart).
        verdicts[column.key] = 'skipped';
      } else if (!column.stages.some((s) => ran.has(s as never))) verdicts[column.key] = 'skipped';
      else verdicts[column.key] = 'no evidence';
    }
    const judged = Object.values(verdicts).filter(
      (v): v is Verdict => v !== '—' && v !== 'no evidence',
    );
    if (judged.length === 0 && mine.length === 0 && !isPropertyId(property)) continue;
    const overall =
      combineVerdicts([
        ...judged,
        ...(Object.values(verdicts).includes('no evidence') ? (['unknown'] as const) : []),
      ]) ?? 'skipped';
    rows.push({
      property,
      title: isPropertyId(property) ? getProperty(property).title : property,
      verdicts,
      overall,
    });
  }
  return rows;
}

/** Whether the gate read an input that holds the property: a plan, or the chart for `k8s.*`. */
function gated(property: string, gate: GameDayResult['gate']): boolean {
  return property.startsWith('k8s.') ? gate.chart : gate.plans.length > 0;
}

const anchor = (property: string): `#${string}` => `#ev-${property.replaceAll('.', '-')}`;

function windowsOf(timeline: GameDayTimeline): TimeWindow[] {
  return [
    ...timeline.stages
      .filter((s) => s.name === 'scale-out' || s.name === 'outage')
      .map((s) => ({ from: s.from, to: s.to, label: s.name, kind: 'phase' as const })),
    ...timeline.faults.map((f) => ({ ...f, kind: 'fault' as const })),
  ];
}

function keysOf(
  timeline: GameDayTimeline,
  pick: (p: GameDayTimeline['points'][number]) => Readonly<Record<string, number>> | null,
): string[] {
  return [...new Set(timeline.points.flatMap((p) => Object.keys(pick(p) ?? {})))].sort();
}

/** report.html: the property table first, then the stages, the timeline and every event. */
export function gameDayHtml(result: GameDayResult): string {
  const rows = propertyRows(result);
  const { timeline } = result;
  const x = timeline.points.map((p) => p.t);
  const windows = windowsOf(timeline);
  const cell = (v: string, property: string): TableCell =>
    v === '—'
      ? '—'
      : v === 'no evidence'
        ? { text: v, status: 'unknown' }
        : { text: v, status: v as Verdict, href: anchor(property) };
  const blocks: HtmlBlock[] = [
    summary({
      status: result.passed ? 'pass' : 'fail',
      headline: result.passed
        ? 'Game day held: every stage passed'
        : result.stopped !== undefined
          ? `Game day stopped at ${result.stopped.stage}: ${result.stopped.reason}`
          : `Game day failed: ${result.stages
              .filter((s) => s.status === 'fail')
              .map((s) => s.name)
              .join(', ')}`,
      facts: [
        ['target', result.target],
        ['zone lost', result.zone],
        ['started', result.startedAt],
        ['duration', `${result.seconds} s`],
        [
          'properties failing',
          rows
            .filter((r) => r.overall === 'fail')
            .map((r) => r.property)
            .join(', ') || 'none',
        ],
      ],
    }),
    table({
      title: 'Properties: one row per id, each verdict links to its evidence',
      columns: [
        { key: 'property', label: 'property' },
        ...PROPERTY_COLUMNS.map((c) => ({ key: c.key, label: c.label })),
        { key: 'title', label: 'title' },
      ],
      rows: rows.map((r) => ({
        property: { text: r.property, status: r.overall },
        ...Object.fromEntries(
          PROPERTY_COLUMNS.map((c) => [c.key, cell(r.verdicts[c.key], r.property)]),
        ),
        title: r.title,
      })),
    }),
    table({
      title: 'Stages',
      columns: [
        { key: 'stage', label: 'stage' },
        { key: 'status', label: 'status' },
        { key: 'seconds', label: 'seconds', align: 'right' },
        { key: 'figure', label: 'figure' },
        { key: 'detail', label: 'detail' },
      ],
      rows: result.stages.map((s) => ({
        stage: s.name,
        status: { text: s.status, status: s.status },
        seconds: s.seconds ?? '—',
        figure: s.figure ?? '',
        detail: s.detail,
      })),
    }),
  ];
  if (x.length > 0) {
    const nodeZones = keysOf(timeline, (p) => p.nodesReady);
    const services = keysOf(timeline, (p) => p.endpoints);
    blocks.push(
      section(
        'Timeline (one time axis: the scale-out, then the outage; shaded: stages and faults)',
        timeSeriesChart({
          title: 'Load (requests per second)',
          x,
          windows,
          series: [
            { label: 'completed', unit: 'req/s', values: timeline.points.map((p) => p.requests) },
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
          series: [{ label: 'p95', unit: 'ms', values: timeline.points.map((p) => p.p95Ms) }],
        }),
        timeSeriesChart({
          title: 'Errors (share of the second’s requests)',
          x,
          windows,
          series: [
            {
              label: 'failed share',
              values: timeline.points.map((p) =>
                p.requests === 0 ? null : Math.round((p.failed / p.requests) * 1000) / 1000,
              ),
              color: '#d62728',
            },
          ],
        }),
        timeSeriesChart({
          title:
            'Replicas (backend HPA during the scale-out; ready replicas of every Deployment during the outage)',
          x,
          windows,
          series: [
            { label: 'desired', values: timeline.points.map((p) => p.replicasDesired) },
            { label: 'ready', values: timeline.points.map((p) => p.replicasReady) },
          ],
        }),
        timeSeriesChart({
          title: 'Ready nodes per zone',
          x,
          windows,
          series: nodeZones.map((z) => ({
            label: z,
            values: timeline.points.map((p) => p.nodesReady?.[z] ?? null),
          })),
        }),
        timeSeriesChart({
          title: 'Ready endpoints per Service',
          x,
          windows,
          series: services.map((s) => ({
            label: s,
            values: timeline.points.map((p) => p.endpoints?.[s] ?? null),
          })),
        }),
        timeSeriesChart({
          title: 'SQL probe through the database endpoint',
          x,
          windows,
          series: [
            {
              label: 'query ms',
              unit: 'ms',
              values: timeline.points.map((p) => (p.sqlOk === true ? p.sqlMs : null)),
            },
            {
              label: 'failed',
              values: timeline.points.map((p) =>
                p.sqlOk === false ? 1 : p.sqlOk === true ? 0 : null,
              ),
              color: '#d62728',
              axis: 'right',
            },
          ],
        }),
      ),
    );
  }
  // Every event, grouped by property: the anchors the table's verdicts link to.
  const byProperty = [...new Set(result.evidence.map((e) => e.property))];
  const events = byProperty.flatMap((p) => result.evidence.filter((e) => e.property === p));
  const firstOf = new Set<string>();
  blocks.push(
    table({
      title: `Evidence (${events.length} events, also in report.json)`,
      columns: [
        { key: 'property', label: 'property' },
        { key: 'stage', label: 'stage' },
        { key: 'phase', label: 'phase' },
        { key: 'status', label: 'status' },
        { key: 'subject', label: 'subject' },
        { key: 'detail', label: 'detail' },
      ],
      rows: events.map((e) => ({
        property: e.property,
        stage: stageOf(e) ?? '',
        phase: e.phase,
        status: { text: e.status, status: e.status },
        subject: e.check === undefined ? e.subject : `${e.check} (${e.subject})`,
        detail:
          e.status === 'fail' && e.expected !== undefined
            ? `${e.detail}; expected ${e.expected}`
            : e.detail,
      })),
      rowIds: events.map((e) => {
        if (firstOf.has(e.property)) return undefined;
        firstOf.add(e.property);
        return anchor(e.property).slice(1);
      }),
    }),
  );
  if (result.evidence.length === 0) blocks.push(text('No evidence was produced.'));
  return htmlPage({
    title: 'stackproof game day',
    subtitle: `${result.target}: preflight, scale-out, AZ outage of ${result.zone} with the database failover, recovery, live checks, rollback`,
    blocks,
  });
}

/** junit.xml: one case per stage, and one per property id (its evidence as the body). */
export function gameDayJunit(result: GameDayResult): string {
  const stageCases: JUnitCase[] = result.stages.map((s) => ({
    name: s.name,
    classname: 'gameday.stage',
    status: s.status === 'pass' ? 'passed' : s.status === 'fail' ? 'failed' : 'skipped',
    ...(s.seconds === undefined ? {} : { timeSeconds: s.seconds }),
    ...(s.status === 'pass' ? { output: s.detail } : { message: s.detail }),
  }));
  const propertyCases: JUnitCase[] = propertyRows(result).map((r) => {
    const mine = result.evidence.filter((e) => e.property === r.property);
    const body = mine
      .map((e) => {
        const c = junitCaseFromEvidence(e);
        return `[${stageOf(e) ?? ''}/${e.phase}] ${e.status} ${c.name}: ${e.detail}${e.expected === undefined ? '' : `; expected ${e.expected}`}`;
      })
      .join('\n');
    const verdicts = PROPERTY_COLUMNS.map((c) => `${c.key} ${r.verdicts[c.key]}`).join(', ');
    return {
      name: r.property,
      classname: 'gameday.property',
      status: r.overall === 'fail' ? 'failed' : r.overall === 'skipped' ? 'skipped' : 'passed',
      ...(r.overall === 'fail'
        ? { message: verdicts, detail: body }
        : r.overall === 'skipped'
          ? { message: 'no stage produced evidence for it' }
          : { output: `${verdicts}\n${body}` }),
    };
  });
  return junitXml([
    {
      name: 'gameday stages',
      cases: stageCases,
      timestamp: result.startedAt,
      timeSeconds: result.seconds,
    },
    { name: 'gameday properties', cases: propertyCases, timestamp: result.startedAt },
  ]);
}

/** The GitHub step summary (markdown): the verdict, the stages and the properties that failed. */
export function gameDayStepSummary(result: GameDayResult): string {
  const rows = propertyRows(result);
  const failing = rows.filter((r) => r.overall === 'fail');
  const lines = [
    `## stackproof game day: ${result.passed ? 'PASSED' : 'FAILED'}`,
    '',
    `${result.target}, zone ${result.zone} lost, ${result.seconds} s${result.stopped === undefined ? '' : `; stopped at **${result.stopped.stage}**: ${result.stopped.reason}`}`,
    '',
    '| stage | status | seconds | figure |',
    '| --- | --- | ---: | --- |',
    ...result.stages.map(
      (s) =>
        `| ${s.name} | ${s.status} | ${s.seconds ?? '—'} | ${(s.figure ?? '').replaceAll('|', '\\|')} |`,
    ),
    '',
    failing.length === 0
      ? 'No property failed.'
      : `Failing properties: ${failing.map((r) => `\`${r.property}\``).join(', ')}`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

export interface GameDayFiles {
  readonly html: string;
  readonly json: string;
  readonly junit: string;
}

/** Writes report.html, report.json (the result with every evidence event) and junit.xml. */
export async function writeGameDayReport(result: GameDayResult): Promise<GameDayFiles> {
  const files = {
    html: join(result.outDir, 'report.html'),
    json: join(result.outDir, 'report.json'),
    junit: join(result.outDir, 'junit.xml'),
  };
  await writeReportFile(
    files.json,
    `${JSON.stringify({ ...result, properties: propertyRows(result) }, null, 2)}\n`,
  );
  await writeReportFile(files.junit, gameDayJunit(result));
  await writeReportFile(files.html, gameDayHtml(result));
  return files;
}
