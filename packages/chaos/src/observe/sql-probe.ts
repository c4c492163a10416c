import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';

/** One probe: connect, query, disconnect, through the database's endpoint. */
export interface SqlProbeSample {
  /** Unix milliseconds when the probe started. */
  readonly t: number;
  readonly ok: boolean;
  /** Connect + query, in milliseconds. */
  readonly ms: number;
  /** The server that answered (`inet_server_addr:inet_server_port`): a failover changes it. */
  readonly server?: string;
  /** Why it failed (first line). */
  readonly error?: string;
}

export interface SqlProbeOptions {
  /** libpq URL (`postgresql://user:password@host:port/db`), the endpoint clients use. */
  readonly url: string;
  /** Bound of one probe (connect + query); default 2000 ms. */
  readonly timeoutMs?: number;
  /** Default 1000 ms. */
  readonly intervalMs?: number;
}

const QUERY =
  "SELECT coalesce(host(inet_server_addr()), 'local') || ':' || inet_server_port() AS server, pg_is_in_recovery() AS standby";

/**
 * The database's steady-state probe: once a second a new connection through the endpoint and one
 * query, as a client that reconnects would see the database. A new connection each time, so a
 * failover is seen as clients see it (the name answers again, and by whom), not through a pooled
 * session that merely broke. The downtime the run reports comes from these samples, never from
 * DescribeDBInstances. A probe answered by a server in recovery (a standby) counts as failed: it
 * cannot take the writes the primary takes.
 */
export class SqlProbe {
  readonly #options: SqlProbeOptions;
  readonly #samples: SqlProbeSample[] = [];
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: SqlProbeOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  async #once(): Promise<SqlProbeSample> {
    const t = Date.now();
    const timeoutMs = this.#options.timeoutMs ?? 2_000;
    const client = new pg.Client({
      connectionString: this.#options.url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      application_name: 'stackproof-chaos-sql-probe',
    });
    // A connection the server drops after the query must not crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      const result = await client.query<{ server: string; standby: boolean }>(QUERY);
      const row = result.rows[0];
      const ms = Date.now() - t;
      if (row?.standby === true) {
        return {
          t,
          ok: false,
          ms,
          server: row.server,
          error: 'answered by a server in recovery (read-only)',
        };
      }
      return { t, ok: true, ms, ...(row?.server === undefined ? {} : { server: row.server }) };
    } catch (error) {
      return {
        t,
        ok: false,
        ms: Date.now() - t,
        error: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'error',
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async #loop(): Promise<void> {
    const interval = this.#options.intervalMs ?? 1_000;
    while (!this.#stopped) {
      const sample = await this.#once();
      this.#samples.push(sample);
      const wait = sample.t + interval - Date.now();
      if (wait > 0) await delay(wait);
    }
  }

  samples(): readonly SqlProbeSample[] {
    return this.#samples;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }
}
