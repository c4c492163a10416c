import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { BackendConfig } from './config.ts';
import { HttpError, isDatabaseUnavailable } from './http-error.ts';
import { ItemStore, itemInput } from './items.ts';
import { readJsonBody } from './json-body.ts';
import type { BackendMetrics } from './metrics.ts';
import { doWork } from './work.ts';

export interface AppDeps {
  config: BackendConfig;
  pool: Pool;
  logger: Logger;
  metrics: BackendMetrics;
  /** False once shutdown began: readiness turns false so the load balancer stops sending. */
  isAccepting: () => boolean;
}

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  params: string[],
) => Promise<void>;
interface Route {
  template: string;
  pattern: RegExp;
  methods: Partial<Record<string, Handler>>;
}

const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
};

/** Ids are positive bigints; anything else is a client error, not a lookup. */
const parseId = (raw: string | undefined): string => {
  if (!raw || !/^[1-9][0-9]{0,18}$/.test(raw) || BigInt(raw) > 9223372036854775807n) {
    throw new HttpError(
      400,
      'invalid_id',
      `item id must be a positive integer, got '${raw ?? ''}'`,
    );
  }
  return raw;
};

const parseIntParam = (
  url: URL,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number => {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  // Plain decimal digits only: Number() would also accept '1e3', ' 7' or '0x10'.
  if (!/^\d{1,15}$/.test(raw) || value < min || value > max) {
    throw new HttpError(
      400,
      'invalid_query',
      `${name} must be an integer between ${min} and ${max}, got '${raw}'`,
    );
  }
  return value;
};

const validateItem = (body: unknown) => {
  const parsed = itemInput.safeParse(body);
  if (!parsed.success) {
    throw new HttpError(400, 'validation_failed', 'request body does not match the item schema', {
      details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return parsed.data;
};

/** Builds the request handler: routing, validation, status codes, metrics and access logs. */
export function createApp(deps: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, pool, logger, metrics } = deps;
  const items = new ItemStore(pool);

  const readiness = async (): Promise<void> => {
    // A bounded probe: pg's connectionTimeoutMillis covers connecting, the race covers a server
    // that accepted the connection but does not answer.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HttpError(
              503,
              'database_timeout',
              `database did not answer within ${config.readyTimeoutMs} ms`,
            ),
          ),
        config.readyTimeoutMs,
      );
    });
    try {
      await Promise.race([pool.query('SELECT 1'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const routes: Route[] = [
    {
      template: '/healthz',
      pattern: /^\/healthz$/,
      methods: { GET: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    },
    {
      template: '/readyz',
      pattern: /^\/readyz$/,
      methods: {
        GET: async (_req, res) => {
          if (!deps.isAccepting()) {
            sendJson(res, 503, { status: 'shutting_down' });
            return;
          }
          try {
            await readiness();
            sendJson(res, 200, { status: 'ready', database: 'reachable' });
          } catch (error) {
            logger.warn({ err: error }, 'readiness probe failed');
            sendJson(res, 503, {
              status: 'not_ready',
              database: 'unreachable',
              reason: (error as Error).message,
            });
          }
        },
      },
    },
    {
      template: '/metrics',
      pattern: /^\/metrics$/,
      methods: {
        GET: async (_req, res) => {
          const text = await metrics.registry.metrics();
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        },
      },
    },
    {
      template: '/api/items',
      pattern: /^\/api\/items$/,
      methods: {
        GET: async (_req, res, url) => {
          const limit = parseIntParam(url, 'limit', 50, 1, 500);
          const offset = parseIntParam(url, 'offset', 0, 0, 1_000_000);
          sendJson(res, 200, { items: await items.list(limit, offset), limit, offset });
        },
        POST: async (req, res) => {
          const input = validateItem(await readJsonBody(req, config.bodyLimitBytes));
          const item = await items.create(input);
          sendJson(res, 201, item, { location: `/api/items/${item.id}` });
        },
      },
    },
    {
      template: '/api/items/:id',
      pattern: /^\/api\/items\/([^/]+)$/,
      methods: {
        GET: async (_req, res, _url, [raw]) => {
          const id = parseId(raw);
          const item = await items.get(id);
          if (!item) throw new HttpError(404, 'not_found', `item ${id} does not exist`);
          sendJson(res, 200, item);
        },
        PUT: async (req, res, _url, [raw]) => {
          const id = parseId(raw);
          const input = validateItem(await readJsonBody(req, config.bodyLimitBytes));
          const item = await items.replace(id, input);
          if (!item) throw new HttpError(404, 'not_found', `item ${id} does not exist`);
          sendJson(res, 200, item);
        },
        DELETE: async (_req, res, _url, [raw]) => {
          const id = parseId(raw);
          if (!(await items.remove(id)))
            throw new HttpError(404, 'not_found', `item ${id} does not exist`);
          res.writeHead(204).end();
        },
      },
    },
    {
      template: '/api/work',
      pattern: /^\/api\/work$/,
      methods: {
        GET: async (_req, res, url) => {
          const iterations = parseIntParam(
            url,
            'iterations',
            config.workDefaultIterations,
            1,
            config.workMaxIterations,
          );
          const result = await doWork(iterations, url.searchParams.get('seed') ?? 'stackproof');
          metrics.workIterations.inc(iterations);
          sendJson(res, 200, result);
        },
      },
    },
  ];

  return (req, res) => {
    const started = process.hrtime.bigint();
    const requestId =
      (req.headers['x-request-id'] as string | undefined)?.slice(0, 128) || randomUUID();
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://backend.invalid');
    const method = req.method ?? 'GET';
    let template = 'unmatched';

    const finish = (): void => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requests.inc({ method, route: template, status: String(res.statusCode) });
      metrics.duration.observe({ method, route: template }, seconds);
      // Probes and scrapes would drown the access log; they are still counted in the metrics.
      if (template === '/healthz' || template === '/readyz' || template === '/metrics') return;
      logger.info(
        {
          reqId: requestId,
          method,
          path: url.pathname,
          route: template,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
        },
        'request',
      );
    };
    res.on('finish', finish);
    logger.debug({ reqId: requestId, method, path: url.pathname }, 'request started');

    const handle = async (): Promise<void> => {
      for (const route of routes) {
        const match = route.pattern.exec(url.pathname);
        if (!match) continue;
        template = route.template;
        const handler = route.methods[method === 'HEAD' && route.methods.GET ? 'GET' : method];
        if (!handler) {
          throw new HttpError(
            405,
            'method_not_allowed',
            `${method} is not allowed on ${route.template}`,
            {
              headers: { allow: Object.keys(route.methods).join(', ') },
            },
          );
        }
        await handler(req, res, url, match.slice(1));
        return;
      }
      throw new HttpError(404, 'not_found', `no route for ${url.pathname}`);
    };

    handle().catch((error: unknown) => {
      let httpError: HttpError;
      if (error instanceof HttpError) {
        httpError = error;
      } else if (isDatabaseUnavailable(error)) {
        logger.warn({ reqId: requestId, err: error }, 'database unavailable');
        httpError = new HttpError(
          503,
          'database_unavailable',
          'the database is unavailable; retry later',
          {
            headers: { 'retry-after': '1' },
          },
        );
      } else {
        logger.error({ reqId: requestId, err: error }, 'unhandled error');
        httpError = new HttpError(
          500,
          'internal_error',
          'internal error; see the server log for the request id',
        );
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const headers: Record<string, string> = { ...httpError.headers };
      // The rest of an oversized body is still on the wire: close instead of reading it.
      if (httpError.status === 413) headers.connection = 'close';
      sendJson(
        res,
        httpError.status,
        {
          error: {
            code: httpError.code,
            message: httpError.message,
            ...(httpError.details ? { details: httpError.details } : {}),
          },
        },
        headers,
      );
    });
  };
}
