import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { type Logger, pino } from 'pino';
import { createApp } from './app.ts';
import { type BackendConfig, poolConfig } from './config.ts';
import { createMetrics } from './metrics.ts';

export interface BackendServer extends AsyncDisposable {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  /**
   * Graceful stop: readiness turns false, the listener closes (no new connections), in-flight
   * requests finish (up to config.shutdownTimeoutMs, then connections are cut), the pool closes.
   * Idempotent: a second call returns the same promise.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Defaults to a pino logger writing JSON lines to stdout at config.logLevel. */
  logger?: Logger;
}

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'backend' }, timestamp: pino.stdTimeFunctions.isoTime });
}

export async function startBackend(
  config: BackendConfig,
  options: StartOptions = {},
): Promise<BackendServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const pool = new pg.Pool(poolConfig(config.database));
  // An idle client whose server went away emits 'error' on the pool; without a listener that
  // would crash the process. The next query reconnects, so logging is enough.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection lost'));
  const metrics = createMetrics(pool);
  let accepting = true;
  const app = createApp({ config, pool, logger, metrics, isAccepting: () => accepting });
  // Responses not yet started: when draining begins they are told `Connection: close`, so a
  // keep-alive client reconnects elsewhere instead of holding this process open.
  const pending = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    if (!accepting) res.setHeader('connection', 'close');
    pending.add(res);
    res.on('close', () => pending.delete(res));
    app(req, res);
  });
  // Slightly above typical load balancer idle timeouts (ALB: 60 s) so the LB closes first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;

  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(
    {
      port,
      host: config.host,
      db: {
        host: config.database.host,
        port: config.database.port,
        database: config.database.database,
        sslMode: config.database.sslMode,
      },
    },
    'listening',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      accepting = false;
      logger.info('shutting down: draining in-flight requests');
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of pending) if (!res.headersSent) res.setHeader('connection', 'close');
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs);
      });
      if ((await Promise.race([drained, timedOut])) === 'timeout') {
        logger.warn(
          { timeoutMs: config.shutdownTimeoutMs },
          'in-flight requests did not finish in time; closing connections',
        );
        server.closeAllConnections();
        await drained;
      }
      clearTimeout(timer);
      await pool.end();
      logger.info('stopped');
    })();
    return closing;
  };
  return { url, port, close, [Symbol.asyncDispose]: close };
}
