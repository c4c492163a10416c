// Steady HTTP load against one target: the smoke run of the load package and the steady-state
// probe for chaos. Pass/fail is the thresholds below (k6 exits 99 when one is crossed).
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e RATE=20 -e DURATION=2s scripts/http-steady.ts
//
// BASE_URL     target, required (no default: a load run must never guess where to send traffic)
// LOAD_PATH    path requested under load (default /)
// HEALTH_PATH  path setup() checks before any load is sent (default /healthz)
// RATE         requests per second (default 10)
// DURATION     how long the steady phase lasts (default 2s)
// P95_MS       latency budget for the 95th percentile (default 1000)
// SUMMARY_JSON file handleSummary() writes the full summary to (optional)
import { check, fail } from 'k6';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { envNumber, steadyArrival } from './lib/profiles.ts';

const baseUrl = (__ENV.BASE_URL ?? '').replace(/\/+$/, '');
if (baseUrl === '') throw new Error('BASE_URL is required, e.g. -e BASE_URL=http://127.0.0.1:8080');
const loadPath = __ENV.LOAD_PATH ?? '/';
const healthPath = __ENV.HEALTH_PATH ?? '/healthz';

const unexpectedStatus = new Counter('stackproof_unexpected_status');

export const options: Options = {
  scenarios: {
    steady: steadyArrival('steady', envNumber('RATE', 10), __ENV.DURATION ?? '2s'),
  },
  thresholds: {
    // thresholds are per phase (tagged) so a warm-up or setup request cannot hide a failing phase
    'http_req_failed{phase:steady}': ['rate<0.01'],
    'checks{phase:steady}': ['rate>0.99'],
    'http_req_duration{phase:steady}': [`p(95)<${envNumber('P95_MS', 1000)}`],
  },
};

/** Fails fast, before any load is sent, when the target does not answer its health check. */
export function setup(): { startedAt: string } {
  const res = http.get(`${baseUrl}${healthPath}`, { timeout: '5s', tags: { phase: 'setup' } });
  if (res.status !== 200) {
    fail(
      `target ${baseUrl}${healthPath} is not healthy (status ${res.status} ${res.error}); no load sent`,
    );
  }
  return { startedAt: new Date().toISOString() };
}

export function steady(): void {
  const res = http.get(`${baseUrl}${loadPath}`, { tags: { name: 'load' } });
  const ok = check(res, { 'status is 2xx': (r) => r.status >= 200 && r.status < 300 });
  if (!ok) unexpectedStatus.add(1, { status: String(res.status) });
}

export function handleSummary(data: object): Record<string, string> {
  const thresholds: string[] = [];
  const metrics = (
    data as { metrics: Record<string, { thresholds?: Record<string, { ok: boolean }> }> }
  ).metrics;
  for (const [metric, body] of Object.entries(metrics)) {
    for (const [expression, verdict] of Object.entries(body.thresholds ?? {})) {
      thresholds.push(`${verdict.ok ? 'PASS' : 'FAIL'} ${metric}: ${expression}`);
    }
  }
  const out: Record<string, string> = { stdout: `${thresholds.join('\n')}\n` };
  if (__ENV.SUMMARY_JSON) out[__ENV.SUMMARY_JSON] = JSON.stringify(data, null, 2);
  return out;
}
