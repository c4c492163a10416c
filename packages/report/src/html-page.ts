import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  describeMeasure,
  type EvidenceEvent,
  StackproofError,
  type Verdict,
} from '@stackproof/core';

/**
 * A span of time shaded on every chart of the page: a load phase (baseline, ramp, sustain…) or a
 * fault window (zone down from… to…). Times are Unix seconds, as the charts' x axis.
 */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
  readonly label: string;
  readonly kind: 'phase' | 'fault';
}

export interface ChartSeries {
  readonly label: string;
  /** One value per x; `null` where nothing was measured (drawn as a gap, never as zero). */
  readonly values: readonly (number | null)[];
  readonly unit?: string;
  /** Second y axis on the right, for a series of another unit in the same chart. */
  readonly axis?: 'left' | 'right';
  /** `#rrggbb`; a palette colour by position otherwise. */
  readonly color?: string;
}

export interface TimeSeriesChartSpec {
  readonly title: string;
  /** Unix seconds, ascending; every series has one value per entry. */
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly windows?: readonly TimeWindow[];
  readonly height?: number;
}

/**
 * A table cell: text, a number, or text carrying a verdict (coloured) and, optionally, a link to
 * an anchor of the same page (`#id`: a report stays one self-contained file).
 */
export type TableCell =
  | string
  | number
  | { readonly text: string; readonly status?: Verdict; readonly href?: `#${string}` };

export interface TableSpec {
  readonly title?: string;
  readonly columns: readonly {
    readonly key: string;
    readonly label: string;
    readonly align?: 'left' | 'right';
  }[];
  readonly rows: readonly Readonly<Record<string, TableCell>>[];
  /** Anchor ids of the rows, in order (a cell's `href` elsewhere can point at them). */
  readonly rowIds?: readonly (string | undefined)[];
}

export interface SummarySpec {
  readonly status: Verdict;
  readonly headline: string;
  /** Label/value lines under the headline (target, scenario, duration…). */
  readonly facts?: readonly (readonly [string, string])[];
}

/** One piece of a page, built with `timeSeriesChart`, `table`, `summary`, `text` or `section`. */
export type HtmlBlock =
  | { readonly kind: 'chart'; readonly spec: TimeSeriesChartSpec }
  | { readonly kind: 'table'; readonly spec: TableSpec }
  | { readonly kind: 'summary'; readonly spec: SummarySpec }
  | { readonly kind: 'text'; readonly text: string; readonly preformatted: boolean }
  | { readonly kind: 'section'; readonly title: string; readonly blocks: readonly HtmlBlock[] };

export interface HtmlPageSpec {
  readonly title: string;
  readonly subtitle?: string;
  readonly blocks: readonly HtmlBlock[];
  /** Shown in the footer; defaults to now. */
  readonly generatedAt?: Date;
}

/** A chart whose series do not line up with its time axis: a bug in the report's caller. */
export class ChartSpecError extends StackproofError {
  constructor(message: string) {
    super('CHART_SPEC_INVALID', 'internal', message);
  }
}

export const timeSeriesChart = (spec: TimeSeriesChartSpec): HtmlBlock => {
  for (const s of spec.series) {
    if (s.values.length !== spec.x.length) {
      // A misaligned series would be drawn shifted in time: refuse it when the page is built.
      throw new ChartSpecError(
        `chart '${spec.title}': series '${s.label}' has ${s.values.length} values for ${spec.x.length} times`,
      );
    }
  }
  return { kind: 'chart', spec };
};
export const table = (spec: TableSpec): HtmlBlock => ({ kind: 'table', spec });

/**
 * Evidence events as the "Checks" table every report shows: the check, its verdict (coloured),
 * what was measured against which bound, and what was seen (with what would have passed).
 */
export const evidenceTable = (events: readonly EvidenceEvent[], title = 'Checks'): HtmlBlock =>
  table({
    title,
    columns: [
      { key: 'check', label: 'check' },
      { key: 'status', label: 'verdict' },
      { key: 'measured', label: 'measured (bound)' },
      { key: 'detail', label: 'detail' },
    ],
    rows: events.map((e) => ({
      check: e.check ?? e.property,
      status: { text: e.status, status: e.status },
      measured: e.measure === undefined ? '—' : describeMeasure(e.measure),
      detail: e.expected === undefined ? e.detail : `${e.detail}; expected ${e.expected}`,
    })),
  });
export const summary = (spec: SummarySpec): HtmlBlock => ({ kind: 'summary', spec });
export const text = (value: string, options: { preformatted?: boolean } = {}): HtmlBlock => ({
  kind: 'text',
  text: value,
  preformatted: options.preformatted ?? false,
});
export const section = (title: string, ...blocks: HtmlBlock[]): HtmlBlock => ({
  kind: 'section',
  title,
  blocks,
});

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const require = createRequire(import.meta.url);
let assets: { uplotJs: string; uplotCss: string; renderer: string } | undefined;
function loadAssets(): NonNullable<typeof assets> {
  // Read once per process: the page inlines them so it opens offline, from a mail or an artifact.
  assets ??= {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    renderer: readFileSync(new URL('./chart-renderer.js', import.meta.url), 'utf8'),
  };
  return assets;
}

/** Keeps inlined script text from closing its own `<script>` element. */
function inlineScript(source: string): string {
  return source.replaceAll('</script', '<\\/script');
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1180px; padding: 0 16px; color: #1d2329; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.subtitle { color: #5b6670; margin: 0 0 16px; }
.summary { border-left: 6px solid #999; padding: 10px 14px; background: #f6f7f8; margin: 12px 0; }
.summary .headline { font-size: 16px; font-weight: 600; }
.summary dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0 0; }
.summary dt { color: #5b6670; } .summary dd { margin: 0; }
.status-pass { border-color: #2e7d32; } .status-fail { border-color: #c62828; }
.status-unknown, .status-skipped { border-color: #f9a825; } .status-waived { border-color: #6a1b9a; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; }
th, td { border-bottom: 1px solid #e1e4e8; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f7f8; font-weight: 600; } td.right, th.right { text-align: right; font-variant-numeric: tabular-nums; }
td.cell-pass { color: #2e7d32; font-weight: 600; } td.cell-fail { color: #c62828; font-weight: 600; }
td.cell-unknown, td.cell-skipped { color: #a66d00; font-weight: 600; } td.cell-waived { color: #6a1b9a; font-weight: 600; }
.chart { margin: 4px 0 18px; min-height: 120px; }
pre { background: #f6f7f8; padding: 8px; overflow-x: auto; }
footer { color: #5b6670; font-size: 12px; margin-top: 32px; }
`;

function cellHtml(cell: TableCell | undefined, align: 'left' | 'right' | undefined): string {
  const classes: string[] = [];
  if (align === 'right') classes.push('right');
  let content = '';
  if (typeof cell === 'object') {
    if (cell.status !== undefined) classes.push(`cell-${cell.status}`);
    content =
      cell.href === undefined
        ? escapeHtml(cell.text)
        : `<a href="${escapeHtml(cell.href)}">${escapeHtml(cell.text)}</a>`;
  } else if (cell !== undefined) {
    content = escapeHtml(String(cell));
  }
  return `<td${classes.length > 0 ? ` class="${classes.join(' ')}"` : ''}>${content}</td>`;
}

function blockHtml(block: HtmlBlock, charts: TimeSeriesChartSpec[], depth: number): string {
  switch (block.kind) {
    case 'chart': {
      charts.push(block.spec);
      return `<h3>${escapeHtml(block.spec.title)}</h3>\n<div class="chart" data-chart="${charts.length - 1}" data-title="${escapeHtml(block.spec.title)}"></div>`;
    }
    case 'table': {
      const { spec } = block;
      const head = spec.columns
        .map((c) => `<th${c.align === 'right' ? ' class="right"' : ''}>${escapeHtml(c.label)}</th>`)
        .join('');
      const rows = spec.rows
        .map((row, i) => {
          const id = spec.rowIds?.[i];
          return `<tr${id === undefined ? '' : ` id="${escapeHtml(id)}"`}>${spec.columns.map((c) => cellHtml(row[c.key], c.align)).join('')}</tr>`;
        })
        .join('\n');
      const title = spec.title === undefined ? '' : `<h3>${escapeHtml(spec.title)}</h3>\n`;
      return `${title}<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
    }
    case 'summary': {
      const { spec } = block;
      const facts = (spec.facts ?? [])
        .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
        .join('');
      return `<div class="summary status-${spec.status}" data-status="${spec.status}"><div class="headline">${escapeHtml(spec.headline)}</div>${facts === '' ? '' : `<dl>${facts}</dl>`}</div>`;
    }
    case 'text':
      return block.preformatted
        ? `<pre>${escapeHtml(block.text)}</pre>`
        : `<p>${escapeHtml(block.text)}</p>`;
    case 'section': {
      const level = Math.min(depth + 2, 4);
      const inner = block.blocks.map((b) => blockHtml(b, charts, depth + 1)).join('\n');
      return `<section>\n<h${level}>${escapeHtml(block.title)}</h${level}>\n${inner}\n</section>`;
    }
  }
}

/** JSON inside `<script type="application/json">`: `<` escaped so no text can end the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

/**
 * A self-contained HTML page: no request leaves it (uPlot, its CSS and the renderer are inlined),
 * so it opens offline from a CI artifact. Charts share one time axis and a synchronised cursor.
 */
export function htmlPage(page: HtmlPageSpec): string {
  const { uplotJs, uplotCss, renderer } = loadAssets();
  const charts: TimeSeriesChartSpec[] = [];
  const body = page.blocks.map((b) => blockHtml(b, charts, 0)).join('\n');
  const chartData = charts.map((c) => ({
    title: c.title,
    x: c.x,
    series: c.series,
    windows: c.windows ?? [],
    height: c.height ?? 220,
  }));
  const generated = (page.generatedAt ?? new Date()).toISOString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${uplotCss}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
${page.subtitle === undefined ? '' : `<p class="subtitle">${escapeHtml(page.subtitle)}</p>`}
${body}
<footer>Generated by stackproof at ${escapeHtml(generated)}. Self-contained: charts by uPlot (MIT), inlined.</footer>
<script type="application/json" id="stackproof-charts">${scriptJson(chartData)}</script>
<script>${inlineScript(uplotJs)}</script>
<script>${inlineScript(renderer)}</script>
</body>
</html>
`;
}
