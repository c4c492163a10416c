import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isStackproofError, LOOPBACK_HOST, listenOnLoopback } from '@stackproof/core';
import { type ControlErrorBody, SandboxTargetError } from './errors.ts';
import { sandboxHealth } from './health.ts';
import type { Sandbox } from './sandbox.ts';

/**
 * The daemon's loopback control API: status, nodes and zones, and their power, for the CLI and
 * the chaos package in other processes — through SandboxClient (src/sandbox-client.ts), the only
 * code that spells these routes. Every request carries the token from sandbox.json
 * (owner-readable only), so another local user cannot power off the sandbox's nodes. Errors are
 * `{ error: { code, kind, message, valid? } }`, so the client raises the error the sandbox raised.
 *
 *   GET  /status | /nodes | /zones | /database
 *   POST /nodes/<name>/fail | /nodes/<name>/restore
 *   POST /zones/<zone>/fail | /zones/<zone>/restore
 *   POST /database/failover | /database/rejoin
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
      send(res, 401, {
        error: {
          code: 'SANDBOX_CONTROL_FAILED',
          kind: 'environment',
          message: 'missing or wrong bearer token (see sandbox.json)',
        },
      });
      return;
    }
    void handle(sandbox, req, res).catch((error: unknown) => sendError(res, error));
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

/** A StackproofError keeps its code and kind (bad input: 400); anything else is a 500. */
function sendError(res: ServerResponse, error: unknown): void {
  if (isStackproofError(error)) {
    const valid = error instanceof SandboxTargetError ? { valid: error.valid } : {};
    const body: ControlErrorBody = {
      error: { code: error.code, kind: error.kind, message: error.message, ...valid },
    };
    send(res, error.kind === 'bad-input' ? 400 : 500, body);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  send(res, 500, { error: { code: 'SANDBOX_CONTROL_FAILED', kind: 'internal', message } });
}

async function handle(sandbox: Sandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
  if (req.method === 'GET') {
    if (path === '/status') {
      const components = await sandboxHealth(sandbox);
      send(res, 200, { healthy: components.every((c) => c.healthy), components });
      return;
    }
    if (path === '/nodes') return send(res, 200, sandbox.nodes);
    if (path === '/zones') return send(res, 200, sandbox.zones());
    if (path === '/database') return send(res, 200, await sandbox.databaseTopology());
  }
  if (req.method === 'POST' && path === '/database/failover') {
    return send(res, 200, await sandbox.failoverDatabase());
  }
  if (req.method === 'POST' && path === '/database/rejoin') {
    return send(res, 200, await sandbox.rejoinStandby());
  }
  const power = /^\/(nodes|zones)\/([^/]+)\/(fail|restore)$/.exec(path);
  if (req.method === 'POST' && power !== null) {
    const [, kind, name, action] = power as unknown as [string, string, string, string];
    const target = decodeURIComponent(name);
    if (kind === 'nodes') {
      send(
        res,
        200,
        await (action === 'fail' ? sandbox.failNode(target) : sandbox.restoreNode(target)),
      );
    } else {
      send(
        res,
        200,
        await (action === 'fail' ? sandbox.failZone(target) : sandbox.restoreZone(target)),
      );
    }
    return;
  }
  send(res, 404, {
    error: {
      code: 'SANDBOX_NO_ROUTE',
      kind: 'internal',
      message: `no such endpoint: ${req.method} ${path}`,
    },
  });
}
