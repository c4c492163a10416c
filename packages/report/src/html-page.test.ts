import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ChartSpecError,
  evidenceTable,
  htmlPage,
  section,
  summary,
  table,
  timeSeriesChart,
  writeReportFile,
} from './index.ts';
import { BrowserPageError, checkPageInChromium, drawnCharts } from './testing.ts';

// Screenshots and pages stay under the package's test output for a person to look at.
const OUT = fileURLToPath(new URL('../.test-output/', import.meta.url));

const t0 = 1_764_403_200; // a fixed Unix second, so the page is the same on every run
const x = Array.from({ length: 120 }, (_, i) => t0 + i);
const rate = x.map((_, i) => (i < 30 ? 5 : i < 90 ? 40 : 5));
const replicas = x.map((_, i) => (i < 45 ? 3 : i < 100 ? 6 : 4));
const p95 = x.map((_, i) => (i === 60 ? null : 20 + (i % 7)));

function samplePage(): string {
  const windows = [
    { from: t0, to: t0 + 30, label: 'baseline', kind: 'phase' as const },
    { from: t0 + 30, to: t0 + 90, label: 'sustain', kind: 'phase' as const },
    { from: t0 + 70, to: t0 + 80, label: 'zone a down', kind: 'fault' as const },
  ];
  return htmlPage({
    title: 'Sample <report> & "quotes"',
    subtitle: 'built by the report package test',
    generatedAt: new Date('2026-11-29T00:00:00Z'),
    blocks: [
      summary({
        status: 'fail',
        headline: 'contract broken',
        facts: [['target', 'http://127.0.0.1:1']],
      }),
      section(
        'Timeline',
        timeSeriesChart({
          title: 'Load',
          x,
          series: [{ label: 'rate', unit: 'req/s', values: rate }],
          windows,
        }),
        timeSeriesChart({
          title: 'Latency',
          x,
          series: [{ label: 'p95', unit: 'ms', values: p95 }],
          windows,
        }),
        timeSeriesChart({
          title: 'Replicas',
          x,
          series: [{ label: 'desired', values: replicas, color: '#2ca02c' }],
          windows,
        }),
      ),
      table({
        title: 'Properties',
        columns: [
          { key: 'id', label: 'property' },
          { key: 'verdict', label: 'verdict' },
          { key: 'value', label: 'value', align: 'right' },
        ],
        rows: [
          { id: 'k8s.hpa-scales-out', verdict: { text: 'fail', status: 'fail' }, value: 3 },
          {
            id: '<script>alert(1)</script>',
            verdict: { text: 'pass', status: 'pass' },
            value: 1.5,
          },
        ],
      }),
    ],
  });
}

describe('htmlPage', () => {
  it('inlines uPlot and the data, escapes text, and requests nothing', () => {
    const html = samplePage();
    expect(html).toContain('<title>Sample &lt;report&gt; &amp; &quot;quotes&quot;</title>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/);
    expect(html).toMatch(/uPlot/);
    expect(html).toContain('class="cell-fail"');
  });

  it('links a cell to a row anchor of the same page, escaped; a plain cell stays plain', () => {
    const page = htmlPage({
      title: 't',
      blocks: [
        table({
          columns: [{ key: 'a', label: 'a' }],
          rows: [{ a: { text: 'pass', status: 'pass', href: '#ev-"x"' } }, { a: 'plain' }],
          rowIds: ['ev-"x"', undefined],
        }),
      ],
    });
    expect(page).toContain('<a href="#ev-&quot;x&quot;">pass</a>');
    expect(page).toContain('<tr id="ev-&quot;x&quot;">');
    expect(page).toContain('<tr><td>plain</td></tr>');
  });

  it('renders evidence as the checks table: verdict, measure against its bound, what would pass', () => {
    const html = htmlPage({
      title: 'evidence',
      blocks: [
        evidenceTable([
          {
            at: '2026-11-29T00:00:00.000Z',
            property: 'k8s.release-under-load',
            phase: 'load',
            status: 'fail',
            subject: 'stackproof/stackproof-backend',
            check: 'good-release-zero-failed',
            detail: '3 of 900 requests failed',
            expected: 'no failed request',
            measure: {
              name: 'failed_requests',
              value: 3,
              unit: 'requests',
              bound: { op: '<=', limit: 0 },
            },
          },
        ]),
      ],
    });
    expect(html).toContain('good-release-zero-failed');
    expect(html).toContain('class="cell-fail"');
    expect(html).toContain('3 requests');
    expect(html).toContain('3 of 900 requests failed; expected no failed request');
  });

  it('refuses a series that does not line up with the time axis', () => {
    expect(() =>
      timeSeriesChart({ title: 'bad', x: [1, 2, 3], series: [{ label: 's', values: [1, 2] }] }),
    ).toThrow(ChartSpecError);
  });
});

describe('the page in headless chromium', () => {
  it('opens without console errors and draws every series on the shared time axis', async () => {
    await mkdir(OUT, { recursive: true });
    const file = join(OUT, 'sample-report.html');
    await writeReportFile(file, samplePage());
    const charts = await checkPageInChromium(file, {
      screenshotPath: join(OUT, 'sample-report.png'),
      inspect: drawnCharts,
    });
    expect(charts?.map((c) => c.title)).toEqual(['Load', 'Latency', 'Replicas']);
    expect(charts?.[0]?.points).toEqual({ rate: 120 });
    expect(charts?.[1]?.points).toEqual({ p95: 119 }); // the gap is not drawn as a value
    for (const chart of charts ?? []) {
      for (const [label, pixels] of Object.entries(chart.pixels)) {
        expect(pixels, `${chart.title}/${label} painted no pixels`).toBeGreaterThan(50);
      }
    }
  }, 120_000);

  it('fails on a page that logs a console error or loads from the network (negative twin)', async () => {
    await mkdir(OUT, { recursive: true });
    const file = join(OUT, 'broken-report.html');
    await writeFile(
      file,
      '<!doctype html><html><body><img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script></body></html>',
    );
    const run = checkPageInChromium(file, { screenshotPath: join(OUT, 'broken-report.png') });
    await expect(run).rejects.toBeInstanceOf(BrowserPageError);
    await expect(run).rejects.toThrow(/console error: boom/);
    await expect(run).rejects.toThrow(/requested http:\/\/127\.0\.0\.1:9\/x\.png/);
  }, 120_000);
});
