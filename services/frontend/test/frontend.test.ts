// The frontend against a real upstream HTTP server on loopback (a small recording server standing
// in for the backend: the backend's own behaviour is covered by the backend project and the
// container test runs the two together).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadFrontendConfig } from '../src/config.ts';
import { type FrontendLogEvent, type FrontendServer, startFrontend } from '../src/server.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let upstream: Server;
let upstreamUrl: string;
const seen: Seen[] = [];
const held: ServerResponse[] = [];
beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    if (req.url?.includes('hang')) {
      held.push(res); // never answered: exercises the proxy timeout
      return;
    }
    res.writeHead(req.method === 'POST' ? 201 : 200, {
      'content-type': 'application/json',
      location: '/api/items/7',
      connection: 'keep-alive',
    });
    res.end(JSON.stringify({ echoed: body }));
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of held) res.destroy();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

const servers: FrontendServer[] = [];
const logs: FrontendLogEvent[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function frontend(env: Record<string, string> = {}): Promise<FrontendServer> {
  const s = await startFrontend(
    loadFrontendConfig({ HOST: '127.0.0.1', PORT: '0', BACKEND_URL: upstreamUrl, ...env }),
    (e) => logs.push(e),
  );
  servers.push(s);
  return s;
}

describe('static page and health', () => {
  it('serves the page, its script with a JS type, and security headers', async () => {
    const f = await frontend();
    const page = await fetch(`${f.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const script = await fetch(`${f.url}/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('await fetch(`/api');
  });

  it('healthz is 200; unknown pages are 404; POST to a page is 405', async () => {
    const f = await frontend();
    expect((await fetch(`${f.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${f.url}/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${f.url}/../package.json`)).status).toBe(404);
    expect((await fetch(`${f.url}/`, { method: 'POST' })).status).toBe(405);
  });
});

describe('same-origin proxy /api/* -> BACKEND_URL', () => {
  it('forwards method, path, query, body and forwarding headers; relays status, headers and body', async () => {
    const f = await frontend();
    const res = await fetch(`${f.url}/api/items?limit=5`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'fe-1' },
      body: '{"name":"via proxy"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/items/7');
    expect(await res.json()).toEqual({ echoed: '{"name":"via proxy"}' });
    const req = seen.find((s) => s.headers['x-request-id'] === 'fe-1');
    expect(req).toMatchObject({
      method: 'POST',
      url: '/api/items?limit=5',
      body: '{"name":"via proxy"}',
    });
    expect(req?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(req?.headers['x-forwarded-host']).toBe(new URL(f.url).host);
  });

  it('honours a path prefix in BACKEND_URL', async () => {
    const f = await frontend({ BACKEND_URL: `${upstreamUrl}/svc/` });
    await fetch(`${f.url}/api/items`, { headers: { 'x-request-id': 'fe-prefix' } });
    expect(seen.find((s) => s.headers['x-request-id'] === 'fe-prefix')?.url).toBe('/svc/api/items');
  });

  it('does not proxy paths that merely start with /api (negative twin)', async () => {
    const f = await frontend();
    const before = seen.length;
    expect((await fetch(`${f.url}/apixyz`)).status).toBe(404);
    expect(seen.length).toBe(before);
  });

  it('answers 502 backend_unreachable when nothing listens at BACKEND_URL', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const f = await frontend({ BACKEND_URL: `http://127.0.0.1:${deadPort}` });
    const res = await fetch(`${f.url}/api/items`);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'backend_unreachable' } });
    expect(logs.some((l) => l.msg === 'backend unreachable')).toBe(true);
  });

  it('answers 504 when the backend does not answer within PROXY_TIMEOUT_MS', async () => {
    const f = await frontend({ PROXY_TIMEOUT_MS: '300' });
    const res = await fetch(`${f.url}/api/hang`);
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: { code: 'backend_timeout' } });
  });
});

describe('configuration', () => {
  it('requires BACKEND_URL and lists every problem', () => {
    expect(() => loadFrontendConfig({ PORT: 'x' })).toThrow(/BACKEND_URL is required[\s\S]*PORT=x/);
    expect(() => loadFrontendConfig({ BACKEND_URL: 'ftp://x' })).toThrow(/must be http/);
    expect(loadFrontendConfig({ BACKEND_URL: 'http://backend:8080' }).backendUrl.host).toBe(
      'backend:8080',
    );
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight proxied request after close() and refuses new connections', async () => {
    const f = await frontend();
    const inflight = fetch(`${f.url}/api/hang-then-release`);
    await expect
      .poll(() => seen.some((s) => s.url === '/api/hang-then-release'), { timeout: 5000 })
      .toBe(true);
    const closed = f.close();
    await expect(fetch(`${f.url}/healthz`)).rejects.toThrow();
    const res = held.pop();
    res?.writeHead(200, { 'content-type': 'application/json' }).end('{"late":true}');
    const response = await inflight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ late: true });
    await closed;
  });
});
