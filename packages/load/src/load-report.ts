import { describeMeasure } from '@stackproof/core';
import {
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
import type { LoadSummary } from './judge.ts';
import type { Timeline } from './timeline.ts';

/** junit.xml: one case per contract check (evidence) and, for steady, per threshold. */
export function loadReportJunit(summary: LoadSummary): string {
  const cases: JUnitCase[] = summary.evidence.map(junitCaseFromEvidence);
  if (summary.evidence.length === 0) {
    for (const t of summary.thresholds) {
      cases.push({
        name: `${t.metric}: ${t.expression}`,
        classname: `load.${summary.scenario}`,
        status: t.passed ? 'passed' : 'failed',
        ...(t.passed
          ? { output: `${t.value} over ${t.samples} samples` }
          : {
              message: `${t.metric} ${t.expression} crossed: ${t.value} over ${t.samples} samples`,
            }),
      });
    }
  }
  if (summary.requests.total === 0) {
    cases.push({
      name: 'load-sent',
      classname: `load.${summary.scenario}`,
      status: 'failed',
      message: 'no request of a load phase was recorded',
    });
  }
  return junitXml([
    {
      name: `stackproof load ${summary.scenario}`,
      timestamp: summary.startedAt,
      timeSeconds: summary.durationSeconds,
      properties: {
        scenario: summary.scenario,
        target: summary.target,
        instances: String(summary.instances),
        ...(summary.hpa === undefined ? {} : { hpa: summary.hpa }),
      },
      cases,
    },
  ]);
}

const fmt = (value: number | null | undefined, unit = ''): string =>
  value === null || value === undefined
    ? '—'
    : `${Number.isInteger(value) ? value : value.toFixed(2)}${unit}`;

/** report.html: the verdict, the three charts on one time axis with the phases shaded, the checks. */
export function loadReportHtml(summary: LoadSummary, timeline: Timeline): string {
  const x = timeline.points.map((p) => p.t);
  const windows: TimeWindow[] = timeline.phases.map((p) => ({
    from: p.from,
    to: p.to,
    label: p.name,
    kind: 'phase',
  }));
  const planned = timeline.points.map((p) => {
    const w = timeline.phases.find((ph) => p.t + 0.5 >= ph.from && p.t + 0.5 < ph.to);
    if (w === undefined) return null;
    const f = (p.t + 0.5 - w.from) / (w.to - w.from);
    return Math.round((w.fromRate + (w.toRate - w.fromRate) * f) * 10) / 10;
  });
  const sampled = timeline.points.some((p) => p.desired !== null);
  const blocks: HtmlBlock[] = [
    summaryBlock({
      status: summary.verdict,
      headline:
        summary.verdict === 'pass'
          ? `Contract held: ${summary.scenario} on ${summary.hpa ?? summary.target}`
          : `Contract ${summary.verdict === 'fail' ? 'broken' : 'not proven'}: ${summary.failures.length} check(s) did not pass`,
      facts: [
        ['target', summary.target],
        ...(summary.hpa === undefined ? [] : [['HPA', summary.hpa] as [string, string]]),
        ['started', summary.startedAt],
        ['duration', `${summary.durationSeconds} s`],
        ['k6 processes', String(summary.instances)],
        [
          'requests',
          `${summary.requests.total} (${summary.requests.failed} failed, ${summary.requests.dropped} dropped; per process ${summary.requests.perInstance.join(' + ')})`,
        ],
        [
          'cluster sampling',
          sampled
            ? `${summary.sampling.samples} samples, median interval ${fmt(summary.sampling.medianIntervalSeconds, ' s')}, max ${fmt(summary.sampling.maxIntervalSeconds, ' s')}, ${summary.sampling.errors} API errors`
            : 'off',
        ],
      ],
    }),
  ];
  if (summary.failures.length > 0)
    blocks.push(section('What broke', text(summary.failures.join('\n'), { preformatted: true })));
  const charts: HtmlBlock[] = [
    timeSeriesChart({
      title: 'Load (requests per second)',
      x,
      windows,
      series: [
        {
          label: 'achieved',
          unit: 'req/s',
          values: timeline.points.map((p) => p.requests),
          color: '#1f77b4',
        },
        { label: 'planned', unit: 'req/s', values: planned, color: '#7f7f7f' },
        {
          label: 'failed',
          unit: 'req/s',
          values: timeline.points.map((p) => p.failed),
          color: '#d62728',
          axis: 'right',
        },
      ],
    }),
    timeSeriesChart({
      title: 'Latency (ms)',
      x,
      windows,
      series: [
        { label: 'p50', unit: 'ms', values: timeline.points.map((p) => p.p50Ms), color: '#2ca02c' },
        { label: 'p95', unit: 'ms', values: timeline.points.map((p) => p.p95Ms), color: '#ff7f0e' },
      ],
    }),
  ];
  if (sampled) {
    charts.push(
      timeSeriesChart({
        title: 'Replicas and CPU',
        x,
        windows,
        series: [
          { label: 'desired', values: timeline.points.map((p) => p.desired), color: '#9467bd' },
          { label: 'current', values: timeline.points.map((p) => p.current), color: '#8c564b' },
          { label: 'ready', values: timeline.points.map((p) => p.ready), color: '#17becf' },
          {
            label: 'CPU',
            unit: 'millicores',
            values: timeline.points.map((p) => p.cpuMillicores),
            color: '#bcbd22',
            axis: 'right',
          },
        ],
      }),
    );
  }
  blocks.push(section('Timeline (one clock: k6 and the cluster sampler share it)', ...charts));
  if (summary.evidence.length > 0) {
    blocks.push(
      table({
        title: 'Checks',
        columns: [
          { key: 'check', label: 'check' },
          { key: 'status', label: 'verdict' },
          { key: 'measured', label: 'measured (bound)' },
          { key: 'detail', label: 'detail' },
        ],
        rows: summary.evidence.map((e) => ({
          check: e.check ?? e.property,
          status: { text: e.status, status: e.status },
          measured: e.measure === undefined ? '—' : describeMeasure(e.measure),
          detail: e.expected === undefined ? e.detail : `${e.detail}; expected ${e.expected}`,
        })),
      }),
    );
  }
  blocks.push(
    table({
      title: 'Thresholds on the merged samples of every k6 process',
      columns: [
        { key: 'metric', label: 'metric' },
        { key: 'expression', label: 'threshold' },
        { key: 'value', label: 'value', align: 'right' },
        { key: 'samples', label: 'samples', align: 'right' },
        { key: 'verdict', label: 'verdict' },
      ],
      rows: summary.thresholds.map((t) => ({
        metric: t.metric,
        expression: t.expression,
        value: Math.round(t.value * 10000) / 10000,
        samples: t.samples,
        verdict: { text: t.passed ? 'pass' : 'fail', status: t.passed ? 'pass' : 'fail' },
      })),
    }),
    table({
      title: 'Phases',
      columns: [
        { key: 'name', label: 'phase' },
        { key: 'start', label: 'starts at (s)', align: 'right' },
        { key: 'seconds', label: 'lasts (s)', align: 'right' },
        { key: 'rate', label: 'rate (req/s)' },
      ],
      rows: summary.phases.map((p) => ({
        name: p.name,
        start: p.startSeconds,
        seconds: p.seconds,
        rate: p.fromRate === p.toRate ? String(p.fromRate) : `${p.fromRate} → ${p.toRate}`,
      })),
    }),
  );
  if (summary.timings !== undefined) {
    blocks.push(
      table({
        title: 'Scale-out timings (seconds after the ramp reached the target rate)',
        columns: [
          { key: 'what', label: 'what' },
          { key: 'value', label: 'value', align: 'right' },
        ],
        rows: Object.entries(summary.timings)
          .filter(([k]) => k !== 'rampReachedTargetAt')
          .map(([k, v]) => ({ what: k, value: fmt(v as number | null) })),
      }),
    );
  }
  return htmlPage({
    title: `stackproof load: ${summary.scenario}`,
    subtitle: `${summary.target}${summary.hpa === undefined ? '' : ` · HPA ${summary.hpa}`} · ${summary.startedAt}`,
    blocks,
  });
}
