// Test support shared by the packages whose reports people look at (load, chaos, game day): opens a
// report page in Debian's chromium through playwright-core and fails on anything a reader would
// see as broken. Exported as `@stackproof/report/testing` (playwright-core is a devDependency).

import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StackproofError, ToolMissingError } from '@stackproof/core';
import { chromium, type Page } from 'playwright-core';

/**
 * Flags chromium needs on these machines: no sandbox (root, no user namespaces), no GPU, and none
 * of the background connections (updates, sync, QUIC probes) that the closed network refuses.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The page logged errors, threw, or tried to load something from outside the file. */
export class BrowserPageError extends StackproofError {
  readonly problems: readonly string[];
  constructor(file: string, problems: readonly string[]) {
    super(
      'BROWSER_PAGE_ERRORS',
      'internal',
      `${file}: ${problems.length} problem(s) in the browser: ${problems.join('; ')}`,
    );
    this.problems = problems;
  }
}

/** `CHROMIUM_BIN`, else `chromium` on PATH (Debian's package, installed by `make tools`). */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env.CHROMIUM_BIN,
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'chromium')),
  ].filter((c): c is string => c !== undefined && c !== '');
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  throw new ToolMissingError(
    'chromium',
    "run 'make tools' (installs Debian's chromium) or set CHROMIUM_BIN",
  );
}

export interface PageCheckOptions<T> {
  /** Where the full-page screenshot is saved (PNG); its directory is created. */
  readonly screenshotPath: string;
  /** Runs in the loaded page before the screenshot; its result is returned. */
  readonly inspect?: (page: Page) => Promise<T>;
  readonly viewport?: { readonly width: number; readonly height: number };
  readonly timeoutMs?: number;
}

/**
 * Opens `file` in a fresh headless chromium profile, waits until it has loaded, runs `inspect`,
 * saves a screenshot, and throws `BrowserPageError` when the page logged a console error, threw
 * an uncaught exception, or requested anything that is not the file itself (a report must open
 * offline). The browser and its temporary profile are always removed.
 */
export async function checkPageInChromium<T = undefined>(
  file: string,
  options: PageCheckOptions<T>,
): Promise<T | undefined> {
  const executablePath = findChromium();
  const profile = await mkdtemp(join(tmpdir(), 'stackproof-chromium-'));
  const problems: string[] = [];
  const url = pathToFileURL(resolve(file)).href;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: options.viewport ?? { width: 1280, height: 900 },
    timeout: options.timeoutMs ?? 60_000,
  });
  try {
    await context.route('**/*', async (route) => {
      const requested = route.request().url();
      if (requested === url || requested.startsWith('data:')) {
        await route.continue();
      } else {
        problems.push(`requested ${requested} (a report must be self-contained)`);
        await route.abort();
      }
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    await page.goto(url, { waitUntil: 'load', timeout: options.timeoutMs ?? 60_000 });
    const result = options.inspect === undefined ? undefined : await options.inspect(page);
    await mkdir(dirname(options.screenshotPath), { recursive: true });
    await page.screenshot({ path: options.screenshotPath, fullPage: true });
    if (problems.length > 0) throw new BrowserPageError(file, problems);
    return result;
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

export interface DrawnChart {
  readonly title: string;
  /** Per series label: the data points the chart was given (non-null). */
  readonly points: Record<string, number>;
  /** Per series label: canvas pixels painted in the series' colour (what a reader sees). */
  readonly pixels: Record<string, number>;
}

/**
 * What each chart of a report page drew: its title and, per series, the points it was given and
 * the pixels of the series' colour on its canvas, so a test sees a line that is really there.
 */
export async function drawnCharts(page: Page): Promise<DrawnChart[]> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-chart]')].every((el) => el.hasAttribute('data-drawn')),
    undefined,
    { timeout: 30_000 },
  );
  return page.$$eval('[data-chart]', (elements) =>
    elements.map((el) => {
      const colors = JSON.parse(el.getAttribute('data-colors') ?? '{}') as Record<string, string>;
      const canvas = el.querySelector('canvas');
      const context = canvas?.getContext('2d');
      const image =
        canvas && context
          ? context.getImageData(0, 0, canvas.width, canvas.height).data
          : undefined;
      const pixels: Record<string, number> = {};
      for (const [label, color] of Object.entries(colors)) {
        const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
        let count = 0;
        if (hex && image) {
          const [r, g, b] = [hex[1], hex[2], hex[3]].map((h) => Number.parseInt(h as string, 16));
          for (let i = 0; i < image.length; i += 4) {
            // anti-aliased line edges blend with the background: accept a small distance
            const d =
              Math.abs((image[i] as number) - (r as number)) +
              Math.abs((image[i + 1] as number) - (g as number)) +
              Math.abs((image[i + 2] as number) - (b as number));
            if (d < 30 && (image[i + 3] as number) > 200) count++;
          }
        }
        pixels[label] = count;
      }
      return {
        title: el.getAttribute('data-title') ?? '',
        points: JSON.parse(el.getAttribute('data-drawn') ?? '{}') as Record<string, number>,
        pixels,
      };
    }),
  );
}
