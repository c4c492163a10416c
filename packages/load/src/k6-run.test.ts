import { reserveLoopbackPort } from '@stackproof/core';
import { resolveTool } from '@stackproof/toolchain';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCountingServer } from './counting-server.test-helpers.ts';
import { K6RunError } from './k6-errors.ts';
import { K6_EXIT_THRESHOLDS_FAILED, runK6 } from './k6-run.ts';
import { loadScript } from './load-scripts.ts';

const script = loadScript('steady');
// a generous latency budget: this smoke test proves the plumbing, not loopback speed on a busy CI box
const smokeEnv = { RATE: '20', DURATION: '2s', P95_MS: '10000' };

describe('runK6 with the shipped steady script', () => {
  let k6Path = '';
  beforeAll(() => {
    // fails (does not skip) with "k6 not found ... run make tools" when the toolchain is missing
    k6Path = resolveTool('k6').path;
  });

  it('runs 2 s of load against a loopback server; k6 and the server count the same requests', async () => {
    await using server = await startCountingServer(200);
    const result = await runK6({
      script,
      k6Path,
      scriptEnv: { ...smokeEnv, BASE_URL: server.url },
      timeoutMs: 120_000,
    });

    expect(result.exitCode).toBe(0);
    expect(result.thresholdsPassed).toBe(true);
    expect(result.thresholds.map((t) => `${t.metric}: ${t.expression}`).sort()).toEqual([
      'http_req_duration{phase:steady}: p(95)<10000',
      'http_req_failed{phase:steady}: rate<=0.01',
    ]);
    expect(result.httpReqs).toBeGreaterThan(0);
    expect(server.count()).toBe(result.httpReqs);
  });

  it('reports a crossed threshold with exit code 99 when the target answers 500', async () => {
    await using server = await startCountingServer(500);
    const result = await runK6({
      script,
      k6Path,
      scriptEnv: { ...smokeEnv, BASE_URL: server.url },
      timeoutMs: 120_000,
    });

    expect(result.exitCode).toBe(K6_EXIT_THRESHOLDS_FAILED);
    expect(result.thresholdsPassed).toBe(false);
    expect(result.failedThresholds).toContainEqual({
      metric: 'http_req_failed{phase:steady}',
      expression: 'rate<=0.01',
      passed: false,
    });
    // the latency budget still held: only the failing thresholds are reported as failed
    expect(result.thresholds).toContainEqual({
      metric: 'http_req_duration{phase:steady}',
      expression: 'p(95)<10000',
      passed: true,
    });
    expect(result.httpReqs).toBeGreaterThan(1);
    expect(server.count()).toBe(result.httpReqs);
  });

  it('fails fast in setup() without sending load when the target is down', async () => {
    const port = await reserveLoopbackPort();
    const run = runK6({
      script,
      k6Path,
      scriptEnv: { ...smokeEnv, BASE_URL: `http://127.0.0.1:${port}` },
      timeoutMs: 120_000,
    });

    await expect(run).rejects.toBeInstanceOf(K6RunError);
    await expect(run).rejects.toMatchObject({
      code: 'K6_RUN_FAILED',
      message: expect.stringContaining('is not healthy'),
    });
  });
});
