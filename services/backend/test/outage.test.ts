// The database goes away mid-run: readiness turns false, API calls fail cleanly with 503 (no
// crash, no hang), liveness stays true, and everything recovers when the database returns.

import { pollUntil } from '@stackproof/core';
import { PostgresCluster } from '@stackproof/sandbox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestBackend, type TestBackend } from './harness.ts';

let cluster: PostgresCluster;
let backend: TestBackend;
beforeAll(async () => {
  cluster = await PostgresCluster.create({ templateDataDir: inject('pgTemplateDataDir') });
  backend = await startTestBackend({
    info: cluster.info,
    env: { PG_CONNECT_TIMEOUT_MS: '1000', READY_TIMEOUT_MS: '1000' },
  });
});
afterAll(async () => {
  await backend?.server.close();
  await cluster?.destroy();
});

const status = async (path: string, init?: RequestInit) =>
  (await fetch(`${backend.server.url}${path}`, init)).status;
const create = (name: string) =>
  fetch(`${backend.server.url}/api/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });

describe('database outage', () => {
  it('serves normally before the outage (negative twin of the outage checks)', async () => {
    expect(await status('/readyz')).toBe(200);
    expect((await create('before')).status).toBe(201);
  });

  it('turns readiness false and answers 503 while the database is down, then recovers', async () => {
    // Warm the pool so the outage also kills idle connections (the harder case for pg).
    await Promise.all([1, 2, 3].map(() => status('/api/items')));
    await cluster.stop();

    expect(await status('/readyz')).toBe(503);
    expect(await status('/healthz')).toBe(200); // the process is alive: do not restart it
    const failed = await create('during');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect(await failed.json()).toMatchObject({ error: { code: 'database_unavailable' } });
    const list = await fetch(`${backend.server.url}/api/items`);
    expect(list.status).toBe(503);
    expect(backend.logs.lines.some((l) => l.msg === 'database unavailable')).toBe(true);

    await cluster.start();
    await pollUntil(async () => ((await status('/readyz')) === 200 ? true : undefined), {
      what: 'readiness after the database returned',
      timeoutMs: 10_000,
      intervalMs: 200,
    });
    const after = await create('after');
    expect(after.status).toBe(201);
    const names = (
      (await (await fetch(`${backend.server.url}/api/items`)).json()) as {
        items: { name: string }[];
      }
    ).items.map((i) => i.name);
    expect(names).toEqual(['before', 'after']);
  });
});
