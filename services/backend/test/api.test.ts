import { pbkdf2Sync } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from './harness.ts';

let backend: TestBackend;
let base: string;
beforeAll(async () => {
  backend = await startTestBackend({
    env: { BODY_LIMIT_BYTES: '1024', WORK_MAX_ITERATIONS: '50000' },
  });
  base = backend.server.url;
});
afterAll(async () => {
  await backend?.server.close();
});

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const errorCode = async (res: Response): Promise<string> =>
  ((await res.json()) as { error: { code: string } }).error.code;

describe('probes', () => {
  it('healthz answers 200 while the process lives', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('readyz answers 200 when the database is reachable', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
  });
});

describe('items CRUD', () => {
  it('creates (201 + Location), reads, replaces, lists and deletes an item', async () => {
    const created = await fetch(`${base}/api/items`, json({ name: '  widget ', quantity: 3 }));
    expect(created.status).toBe(201);
    const item = (await created.json()) as { id: string; name: string; quantity: number };
    expect(item).toMatchObject({ name: 'widget', quantity: 3 });
    expect(created.headers.get('location')).toBe(`/api/items/${item.id}`);

    const read = await fetch(`${base}${created.headers.get('location')}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: item.id, name: 'widget' });

    const replaced = await fetch(`${base}/api/items/${item.id}`, {
      ...json({ name: 'gadget', quantity: 7 }),
      method: 'PUT',
    });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ id: item.id, name: 'gadget', quantity: 7 });

    const list = (await (await fetch(`${base}/api/items?limit=500`)).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((i) => i.id)).toContain(item.id);

    const deleted = await fetch(`${base}/api/items/${item.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const gone = await fetch(`${base}/api/items/${item.id}`);
    expect(gone.status).toBe(404);
    expect(await errorCode(gone)).toBe('not_found');
  });

  it('defaults quantity to 0 when omitted', async () => {
    const res = await fetch(`${base}/api/items`, json({ name: 'no quantity' }));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ quantity: 0 });
  });

  it('answers 404 for PUT and DELETE of an item that does not exist', async () => {
    const put = await fetch(`${base}/api/items/987654321`, {
      ...json({ name: 'x' }),
      method: 'PUT',
    });
    expect(put.status).toBe(404);
    const del = await fetch(`${base}/api/items/987654321`, { method: 'DELETE' });
    expect(del.status).toBe(404);
  });
});

describe('bad input', () => {
  it('400 invalid_json for a body that is not JSON, and nothing is stored', async () => {
    const before = (
      (await (await fetch(`${base}/api/items?limit=500`)).json()) as { items: unknown[] }
    ).items.length;
    const res = await fetch(`${base}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "x",',
    });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('invalid_json');
    const after = (
      (await (await fetch(`${base}/api/items?limit=500`)).json()) as { items: unknown[] }
    ).items.length;
    expect(after).toBe(before);
  });

  it('400 invalid_json for an empty body', async () => {
    const res = await fetch(`${base}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '',
    });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('invalid_json');
  });

  it.each([
    ['name is a number', { name: 42 }],
    ['quantity is a string', { name: 'x', quantity: '3' }],
    ['quantity is fractional', { name: 'x', quantity: 1.5 }],
    ['quantity is negative', { name: 'x', quantity: -1 }],
    ['name is blank', { name: '   ' }],
    ['name is too long', { name: 'x'.repeat(201) }],
    ['an unknown field', { name: 'x', admin: true }],
    ['the body is an array', [{ name: 'x' }]],
    ['the body is null', null],
  ])('400 validation_failed when %s', async (_why, body) => {
    const res = await fetch(`${base}/api/items`, json(body));
    expect(res.status).toBe(400);
    const payload = (await res.json()) as { error: { code: string; details: unknown[] } };
    expect(payload.error.code).toBe('validation_failed');
    expect(payload.error.details.length).toBeGreaterThan(0);
  });

  it('415 when the content type is not JSON', async () => {
    const res = await fetch(`${base}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"name":"x"}',
    });
    expect(res.status).toBe(415);
    expect(await errorCode(res)).toBe('unsupported_media_type');
  });

  it('413 when Content-Length announces a body over the limit', async () => {
    const res = await fetch(`${base}/api/items`, json({ name: 'x'.repeat(2000) }));
    expect(res.status).toBe(413);
    expect(await errorCode(res)).toBe('payload_too_large');
  });

  it('413 when a chunked body (no Content-Length) grows over the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${base}/api/items`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(`{"name":"${'y'.repeat(800)}`);
      req.write(`${'y'.repeat(800)}"}`);
      req.end();
    });
    expect(status).toBe(413);
  });

  it('negative twin: a body just under the limit is accepted', async () => {
    const res = await fetch(`${base}/api/items`, json({ name: 'z'.repeat(200) }));
    expect(res.status).toBe(201);
  });

  it.each(['abc', '0', '-1', '1.5', '99999999999999999999'])(
    '400 invalid_id for id %s',
    async (id) => {
      const res = await fetch(`${base}/api/items/${id}`);
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('invalid_id');
    },
  );

  it('405 with Allow for a method the route does not have', async () => {
    const res = await fetch(`${base}/api/items`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });

  it('404 for an unknown route', async () => {
    const res = await fetch(`${base}/api/nothing-here`);
    expect(res.status).toBe(404);
  });

  it('400 for a bad list query', async () => {
    expect((await fetch(`${base}/api/items?limit=0`)).status).toBe(400);
    expect((await fetch(`${base}/api/items?limit=ten`)).status).toBe(400);
  });
});

describe('CPU work endpoint', () => {
  it('does exactly the requested PBKDF2 rounds (the digest proves the work was done)', async () => {
    const res = await fetch(`${base}/api/work?iterations=2000&seed=abc`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { iterations: number; digest: string };
    expect(body.iterations).toBe(2000);
    expect(body.digest).toBe(pbkdf2Sync('abc', 'stackproof', 2000, 32, 'sha256').toString('hex'));
    // Negative twin: a different round count gives a different digest.
    expect(body.digest).not.toBe(
      pbkdf2Sync('abc', 'stackproof', 1999, 32, 'sha256').toString('hex'),
    );
  });

  it.each(['50001', '0', 'many', '1e3', ''])(
    '400 for iterations=%s (bounded by WORK_MAX_ITERATIONS)',
    async (n) => {
      const res = await fetch(`${base}/api/work?iterations=${n}`);
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('invalid_query');
    },
  );
});

describe('observability', () => {
  it('exposes Prometheus metrics that count requests by route and work done', async () => {
    const scrape = async () => (await fetch(`${base}/metrics`)).text();
    const before = await scrape();
    await fetch(`${base}/api/work?iterations=1234`);
    const after = await scrape();
    const counter = (text: string) =>
      Number(/^backend_work_iterations_total (\d+)/m.exec(text)?.[1] ?? 0);
    expect(counter(after) - counter(before)).toBe(1234);
    expect(after).toMatch(
      /^http_requests_total\{method="GET",route="\/api\/work",status="200"\} \d+/m,
    );
    expect(after).toMatch(/^backend_db_pool_connections\{state="total"\} \d+/m);
    expect(after).toMatch(/^process_cpu_seconds_total /m);
  });

  it('writes one structured JSON access log line per API request, with the request id', async () => {
    const res = await fetch(`${base}/api/items/424242`, {
      headers: { 'x-request-id': 'trace-me-1' },
    });
    expect(res.headers.get('x-request-id')).toBe('trace-me-1');
    const line = backend.logs.lines.find((l) => l.reqId === 'trace-me-1' && l.msg === 'request');
    expect(line).toMatchObject({
      level: 30,
      service: 'backend',
      method: 'GET',
      route: '/api/items/:id',
      status: 404,
    });
    // Negative twin: a request id never sent is not in the log.
    expect(backend.logs.lines.some((l) => l.reqId === 'never-sent')).toBe(false);
  });
});
