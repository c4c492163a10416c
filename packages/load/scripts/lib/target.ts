// The system under load: where requests go, the health check setup() runs before any load, and
// the request every load phase sends.
import { check, fail } from 'k6';
import http from 'k6/http';
import { Counter } from 'k6/metrics';

export interface Target {
  readonly baseUrl: string;
  readonly loadPath: string;
  readonly healthPath: string;
}

/** BASE_URL is required: a load run must never guess where to send traffic. */
export function targetFromEnv(defaultLoadPath: string): Target {
  const baseUrl = (__ENV.BASE_URL ?? '').replace(/\/+$/, '');
  if (baseUrl === '')
    throw new Error('BASE_URL is required, e.g. -e BASE_URL=http://127.0.0.1:8080');
  return {
    baseUrl,
    loadPath: __ENV.LOAD_PATH ?? defaultLoadPath,
    healthPath: __ENV.HEALTH_PATH ?? '/healthz',
  };
}

/** Fails the run in setup(), before any load is sent, when the target does not answer healthy. */
export function requireHealthy(target: Target): void {
  const url = `${target.baseUrl}${target.healthPath}`;
  const res = http.get(url, { timeout: '5s', tags: { phase: 'setup' }, responseType: 'none' });
  if (res.status !== 200) {
    fail(`target ${url} is not healthy (status ${res.status} ${res.error}); no load sent`);
  }
}

const unexpectedStatus = new Counter('stackproof_unexpected_status');

/** One request of a load phase; the phase tag comes from the scenario. */
export function hit(target: Target): void {
  const res = http.get(`${target.baseUrl}${target.loadPath}`, {
    tags: { name: 'load' },
    timeout: '10s',
  });
  const ok = check(res, { 'status is 2xx': (r) => r.status >= 200 && r.status < 300 });
  if (!ok) unexpectedStatus.add(1, { status: String(res.status) });
}
