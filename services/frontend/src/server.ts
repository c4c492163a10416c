import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrontendConfig } from './config.ts';

export interface FrontendServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight (proxied) requests finish up to shutdownTimeoutMs. */
  close(): Promise<void>;
}

export interface FrontendLogEvent {
  level: 'info' | 'warn' | 'error';
  msg: string;
  [key: string]: unknown;
}

const publicDir = fileURLToPath(new URL('../public/', import.meta.url));
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
// RFC 9110 §7.6.1: connection-specific headers are not forwarded by a proxy.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function forwardHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  const listed = new Set((headers.connection ?? '').split(',').map((h) => h.trim().toLowerCase()));
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Static files are small and fixed: read once at start, served from memory. */
function loadStatic(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(publicDir)) {
    if (contentTypes[extname(name)]) files.set(`/${name}`, readFileSync(join(publicDir, name)));
  }
  return files;
}

export async function startFrontend(
  config: FrontendConfig,
  log: (event: FrontendLogEvent) => void = (e) =>
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), service: 'frontend', ...e })}\n`,
    ),
): Promise<FrontendServer> {
  const files = loadStatic();
  const upstream = config.backendUrl;
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const basePath = upstream.pathname.replace(/\/$/, '');
  let accepting = true;
  const pending = new Set<ServerResponse>();

  const sendError = (res: ServerResponse, status: number, code: string, message: string): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({ error: { code, message } });
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  const proxy = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = forwardHeaders(req.headers);
    const remote = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = req.headers['x-forwarded-for']
      ? `${req.headers['x-forwarded-for']}, ${remote}`
      : remote;
    headers['x-forwarded-proto'] =
      (req.headers['x-forwarded-proto'] as string | undefined) ?? 'http';
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
    const upstreamReq = send(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: `${basePath}${req.url}`,
        headers,
        timeout: config.proxyTimeoutMs,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, forwardHeaders(upstreamRes.headers));
        upstreamRes.pipe(res);
        upstreamRes.on('error', () => res.destroy());
      },
    );
    upstreamReq.on('timeout', () => {
      upstreamReq.destroy();
      log({
        level: 'warn',
        msg: 'backend timeout',
        path: req.url,
        timeoutMs: config.proxyTimeoutMs,
      });
      sendError(
        res,
        504,
        'backend_timeout',
        `the backend did not answer within ${config.proxyTimeoutMs} ms`,
      );
    });
    upstreamReq.on('error', (error: NodeJS.ErrnoException) => {
      if (res.writableEnded || res.destroyed) return;
      log({
        level: 'warn',
        msg: 'backend unreachable',
        path: req.url,
        error: error.code ?? error.message,
      });
      sendError(res, 502, 'backend_unreachable', 'the backend is unreachable; retry later');
    });
    // A client that goes away must not leave the upstream request running.
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  };

  const server: Server = createServer((req, res) => {
    if (!accepting) res.setHeader('connection', 'close');
    pending.add(res);
    res.on('close', () => pending.delete(res));
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/api' || path.startsWith('/api/')) {
      proxy(req, res);
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const file = files.get(path === '/' ? '/index.html' : path);
    if (!file) {
      sendError(res, 404, 'not_found', `no page at ${path}`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${path}`);
      return;
    }
    res.writeHead(200, {
      'content-type':
        contentTypes[extname(path === '/' ? '/index.html' : path)] ?? 'application/octet-stream',
      'content-length': file.length,
      'cache-control': 'no-cache',
      ...securityHeaders,
    });
    res.end(req.method === 'HEAD' ? undefined : file);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  log({ level: 'info', msg: 'listening', port, backend: upstream.origin });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      accepting = false;
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of pending) if (!res.headersSent) res.setHeader('connection', 'close');
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs);
      });
      if ((await Promise.race([drained, timedOut])) === 'timeout') {
        server.closeAllConnections();
        await drained;
      }
      clearTimeout(timer);
      log({ level: 'info', msg: 'stopped' });
    })();
    return closing;
  };
  return { url: `http://${host}:${port}`, port, close, [Symbol.asyncDispose]: close };
}
