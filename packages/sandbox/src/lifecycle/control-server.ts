import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LOOPBACK_HOST, listenOnLoopback } from '@stackproof/core';
import { sandboxHealth } from './health.ts';
import type { Sandbox } from './sandbox.ts';

/**
 * The daemon's loopback control API: status and the fault hooks, for the CLI and the chaos
 * package in other processes. Every request carries the token from sandbox.json (owner-readable
 * only), so another local user cannot power off the sandbox's nodes.
 *
 *   GET  /status
 *   POST /nodes/<name>/fail | /nodes/<name>/restore
 *   POST /zones/<zone>/fail | /zones/<zone>/restore
 */
export interface ControlServer {
  readonly url: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function startControlServer(sandbox: Sandbox): Promise<ControlServer> {
  const token = randomBytes(24).toString('hex');
  const server: Server = createServer((req, res) => {
    if (!authorized(req, token)) {
      send(res, 401, { error: 'missing or wrong bearer token (see sandbox.json)' });
      return;
    }
    void handle(sandbox, req, res).catch((error: unknown) => {
      send(res, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://${LOOPBACK_HOST}:${port}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(sandbox: Sandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
  if (req.method === 'GET' && path === '/status') {
    const components = await sandboxHealth(sandbox);
    send(res, 200, { healthy: components.every((c) => c.healthy), components });
    return;
  }
  const fault = /^\/(nodes|zones)\/([^/]+)\/(fail|restore)$/.exec(path);
  if (req.method === 'POST' && fault !== null) {
    const [, kind, name, action] = fault as unknown as [string, string, string, string];
    const target = decodeURIComponent(name);
    try {
      if (kind === 'nodes' && action === 'fail') {
        send(res, 200, { node: target, stoppedInstances: await sandbox.failNode(target) });
      } else if (kind === 'nodes') {
        await sandbox.restoreNode(target);
        send(res, 200, { node: target, restored: true });
      } else if (action === 'fail') {
        send(res, 200, { zone: target, nodes: await sandbox.failZone(target) });
      } else {
        send(res, 200, { zone: target, nodes: await sandbox.restoreZone(target) });
      }
    } catch (error) {
      send(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  send(res, 404, { error: `no such endpoint: ${req.method} ${path}` });
}
