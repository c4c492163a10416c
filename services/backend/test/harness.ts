// Shared test plumbing: a database per test file on the shared cluster, migrated, and an
// in-process backend bound to an ephemeral loopback port.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { ClusterInfo } from '@stackproof/sandbox';
import pg from 'pg';
import { pino } from 'pino';
import { inject } from 'vitest';
import { type BackendConfig, loadConfig } from '../src/config.ts';
import { migrate } from '../src/migrate.ts';
import { type BackendServer, startBackend } from '../src/server.ts';

export function envFor(info: ClusterInfo, database: string): Record<string, string> {
  return {
    PGHOST: info.host,
    PGPORT: String(info.port),
    PGUSER: info.user,
    PGPASSWORD: info.password,
    PGDATABASE: database,
    PGSSLMODE: 'disable',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'debug',
  };
}

export async function createDatabase(
  info: ClusterInfo,
  prefix: string,
  extra: pg.ClientConfig = {},
): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({
    host: info.host,
    port: info.port,
    user: info.user,
    password: info.password,
    database: 'postgres',
    ...extra,
  });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  return name;
}

/** Captures the JSON log lines a server writes, parsed. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly logger = pino(
    { level: 'debug', base: { service: 'backend' } },
    new Writable({
      write: (chunk: Buffer, _enc, done) => {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line.trim()) this.lines.push(JSON.parse(line));
        done();
      },
    }),
  );
}

export interface TestBackend extends AsyncDisposable {
  server: BackendServer;
  config: BackendConfig;
  logs: LogCapture;
  database: string;
}

export async function startTestBackend(
  options: { info?: ClusterInfo; env?: Record<string, string>; database?: string } = {},
): Promise<TestBackend> {
  const info = options.info ?? inject('pg');
  const database = options.database ?? (await createDatabase(info, 'backend'));
  const config = loadConfig({ ...envFor(info, database), ...options.env });
  await migrate('up', { config, log: () => undefined });
  const logs = new LogCapture();
  const server = await startBackend(config, { logger: logs.logger });
  return { server, config, logs, database, [Symbol.asyncDispose]: () => server.close() };
}
