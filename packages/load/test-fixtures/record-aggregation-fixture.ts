// Records the fixed sample set of the aggregation tests (test-fixtures/aggregation/): one real
// single-process k6 run of the steady script against a loopback server whose latency grows over
// the run (so runners that see different parts of it see different distributions). Re-run it only
// to refresh the fixture:  node packages/load/test-fixtures/record-aggregation-fixture.ts

import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { listenOnLoopback } from '@stackproof/core';
import { LOAD_DEFAULTS, runLoad } from '../src/index.ts';

const out = fileURLToPath(new URL('./aggregation/', import.meta.url));
const started = Date.now();
const server = createServer((req, res) => {
  // 2 ms at the start, about 60 ms after 20 s, with some jitter: a distribution that drifts
  const delay = req.url === '/healthz' ? 0 : 2 + (Date.now() - started) / 350 + Math.random() * 10;
  setTimeout(() => res.end('ok\n'), delay);
});
const port = await listenOnLoopback(server);
try {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const { summary } = await runLoad({
    scenario: 'steady',
    target: `http://127.0.0.1:${port}`,
    expectations: { ...LOAD_DEFAULTS, errorBudget: 0.01 },
    overrides: { rate: 20, durationSeconds: 20, path: '/' },
    outDir: out,
  });
  // the fixture is the plan and the raw samples; the reports are rebuilt by the tests
  for (const f of ['evidence.jsonl', 'junit.xml', 'report.html', 'summary.json', 'timeline.json']) {
    await rm(`${out}${f}`, { force: true });
  }
  console.log(`recorded ${summary.requests.total} requests into ${out}`);
} finally {
  server.closeAllConnections();
  server.close();
}
