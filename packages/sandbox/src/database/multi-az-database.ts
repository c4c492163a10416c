// The sandbox's stand-in for an RDS Multi-AZ DB instance, built from real parts: a PostgreSQL
// primary in one zone, a streaming-replication standby in another, and one stable loopback
// endpoint (database-endpoint.ts) that plays the instance's DNS name. moto accepts
// RebootDBInstance with ForceFailover and does nothing; this fails over for real.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pollUntil, StackproofError } from '@stackproof/core';
import type {
  DatabaseFailover,
  DatabaseNodeInfo,
  DatabaseTopology,
  StandbyRejoin,
  StandbyState,
} from '../sandbox-client.ts';
import { DatabaseEndpoint } from './database-endpoint.ts';
import { PASSWORD, PostgresCluster, SUPERUSER } from './postgres-cluster.ts';

/** The stand-in refused an operation RDS would refuse too (no standby in sync to fail over to). */
export class SandboxDatabaseError extends StackproofError {
  constructor(message: string) {
    super('SANDBOX_DATABASE_NO_STANDBY', 'environment', message);
  }
}

/** One server of the pair: which zone it lives in, and its PostgreSQL. */
interface DatabaseNode {
  readonly name: string;
  readonly zone: string;
  readonly rootDir: string;
  cluster: PostgresCluster;
}

export interface MultiAzDatabaseOptions {
  /** Holds one directory per server, named after its zone. */
  readonly rootDir: string;
  /** Zone of the primary (the RDS instance's AvailabilityZone) and of the standby. */
  readonly zones: { readonly primary: string; readonly standby: string };
  /** Databases created on the primary (replicated to the standby). */
  readonly databases?: readonly string[];
  /** Bound for a rebuilt standby to stream (default 60 s). */
  readonly rejoinTimeoutMs?: number;
}

const nodeName = (zone: string): string => `postgres-${zone}`;

/**
 * A primary, its synchronous standby and the endpoint. `failover()` does what RDS does on a Multi-AZ
 * failover: the primary's host goes away (an immediate stop: no checkpoint, every session cut),
 * the standby is promoted, and the endpoint moves to it; clients that reconnect reach the new
 * primary at the same address. Then, as RDS replaces the failed host, the old primary's server is
 * rebuilt as the new standby (a base backup of the new primary) in the background: until it
 * streams, `topology().multiAz` is false and another failover is refused, as RDS refuses one
 * without a standby in sync. `rejoin()` waits for (or starts) that rebuild and is a no-op once
 * the standby streams.
 */
export class MultiAzDatabase implements AsyncDisposable {
  readonly #endpoint: DatabaseEndpoint;
  readonly #rootDir: string;
  readonly #rejoinTimeoutMs: number;
  #primary: DatabaseNode;
  #standby: DatabaseNode;
  #rejoining: Promise<void> | undefined;
  #lastRejoinError: string | undefined;
  #failovers = 0;
  /** Serialises failover and rejoin: neither may interleave with the other. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    primary: DatabaseNode,
    standby: DatabaseNode,
    endpoint: DatabaseEndpoint,
    options: MultiAzDatabaseOptions,
  ) {
    this.#rootDir = options.rootDir;
    this.#rejoinTimeoutMs = options.rejoinTimeoutMs ?? 60_000;
    this.#primary = primary;
    this.#standby = standby;
    this.#endpoint = endpoint;
  }

  static async create(options: MultiAzDatabaseOptions): Promise<MultiAzDatabase> {
    const { primary: primaryZone, standby: standbyZone } = options.zones;
    if (primaryZone === standbyZone) {
      throw new Error(`a Multi-AZ database needs two zones, got ${primaryZone} twice`);
    }
    const primaryRoot = join(options.rootDir, primaryZone);
    const standbyRoot = join(options.rootDir, standbyZone);
    const primary = await PostgresCluster.create({ rootDir: primaryRoot, replication: true });
    let standby: PostgresCluster | undefined;
    try {
      for (const name of options.databases ?? []) await primary.createDatabase(name);
      standby = await PostgresCluster.createStandby(primary, {
        rootDir: standbyRoot,
        applicationName: nodeName(standbyZone),
      });
      const endpoint = await DatabaseEndpoint.start(primary.info.port);
      const db = new MultiAzDatabase(
        { name: nodeName(primaryZone), zone: primaryZone, rootDir: primaryRoot, cluster: primary },
        { name: nodeName(standbyZone), zone: standbyZone, rootDir: standbyRoot, cluster: standby },
        endpoint,
        options,
      );
      await db.#waitForStreaming();
      await db.#synchronous();
      return db;
    } catch (error) {
      await standby?.destroy().catch(() => undefined);
      await primary.destroy().catch(() => undefined);
      throw error;
    }
  }

  /** The stable address clients use (the RDS endpoint's stand-in). */
  get endpoint(): { readonly host: string; readonly port: number } {
    return { host: this.#endpoint.host, port: this.#endpoint.port };
  }

  /** The directory holding both servers' directories. */
  get rootDir(): string {
    return this.#rootDir;
  }

  get user(): string {
    return SUPERUSER;
  }

  get password(): string {
    return PASSWORD;
  }

  /** The server that is the primary now (its own port, not the endpoint). */
  get primary(): PostgresCluster {
    return this.#primary.cluster;
  }

  /** Ports of both servers and of the endpoint (checked free after `down`). */
  get ports(): number[] {
    return [this.#endpoint.port, this.#primary.cluster.info.port, this.#standby.cluster.info.port];
  }

  #exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** What pg_stat_replication on the primary says of the standby (asked, never remembered). */
  async #standbyState(): Promise<{ state: StandbyState; detail?: string }> {
    if (this.#rejoining !== undefined) return { state: 'rejoining' };
    let row = '';
    try {
      row = await this.#primary.cluster.query(
        `SELECT state FROM pg_stat_replication WHERE application_name = '${this.#standby.name}'`,
      );
    } catch (error) {
      return { state: 'down', detail: `the primary does not answer: ${(error as Error).message}` };
    }
    if (row === 'streaming') return { state: 'streaming' };
    if (row !== '') return { state: 'catching-up', detail: `replication state ${row}` };
    return {
      state: 'down',
      detail:
        this.#lastRejoinError === undefined
          ? 'the standby is not connected to the primary'
          : `rebuilding the standby failed: ${this.#lastRejoinError}`,
    };
  }

  /**
   * Commits on the primary wait for this standby from now on (synchronous replication, as RDS
   * Multi-AZ replicates): a commit the client saw survives a failover. Set only once the standby
   * streams; until then (after a failover, while the old primary is rebuilt) the primary commits
   * alone, as RDS keeps accepting writes while it replaces the standby.
   */
  async #synchronous(): Promise<void> {
    await this.#primary.cluster.query(
      `ALTER SYSTEM SET synchronous_standby_names = '"${this.#standby.name}"'`,
    );
    await this.#primary.cluster.query('SELECT pg_reload_conf()');
  }

  async #waitForStreaming(): Promise<void> {
    await pollUntil(
      async () => {
        const row = await this.#primary.cluster.query(
          `SELECT state FROM pg_stat_replication WHERE application_name = '${this.#standby.name}'`,
        );
        return row === 'streaming' ? true : undefined;
      },
      {
        what: `standby ${this.#standby.name} to stream from ${this.#primary.name}`,
        timeoutMs: this.#rejoinTimeoutMs,
        intervalMs: 100,
      },
    );
  }

  async #nodeInfo(node: DatabaseNode, role: 'primary' | 'standby'): Promise<DatabaseNodeInfo> {
    return {
      name: node.name,
      zone: node.zone,
      port: node.cluster.info.port,
      role,
      running: await node.cluster.isRunning(),
    };
  }

  async topology(): Promise<DatabaseTopology> {
    const standby = await this.#standbyState();
    return {
      endpoint: this.endpoint,
      primary: await this.#nodeInfo(this.#primary, 'primary'),
      standby: { ...(await this.#nodeInfo(this.#standby, 'standby')), ...standby },
      multiAz: standby.state === 'streaming',
      failovers: this.#failovers,
    };
  }

  /**
   * A Multi-AZ failover: the endpoint stops answering and resets open sessions, the primary's
   * server stops at once (as its host losing power), the standby is promoted, and the endpoint
   * routes to it. Refused unless the standby streams. The old primary is then rebuilt as the new
   * standby in the background (see `rejoin`).
   */
  failover(): Promise<DatabaseFailover> {
    return this.#exclusive(async () => {
      const { state, detail } = await this.#standbyState();
      if (state !== 'streaming') {
        throw new SandboxDatabaseError(
          `the standby ${this.#standby.name} is ${state}${detail === undefined ? '' : ` (${detail})`}; ` +
            'a failover needs a standby in sync (RDS refuses one too): wait for it to rejoin',
        );
      }
      const from = this.#primary;
      const to = this.#standby;
      const started = performance.now();
      const connectionsReset = this.#endpoint.openConnections;
      this.#endpoint.cut();
      await from.cluster.stop('immediate').catch(async (error: unknown) => {
        // Already gone is what a failover wants; anything else is a real failure.
        if (await from.cluster.isRunning()) throw error;
      });
      await to.cluster.promote();
      this.#endpoint.route(to.cluster.info.port);
      const endpointDownMs = Math.round(performance.now() - started);
      this.#primary = to;
      this.#standby = from;
      this.#failovers += 1;
      this.#startRejoin();
      return {
        from: { name: from.name, zone: from.zone },
        to: { name: to.name, zone: to.zone },
        endpointDownMs,
        connectionsReset,
      };
    });
  }

  #startRejoin(): Promise<void> {
    this.#rejoining ??= this.#rebuildStandby()
      .then(() => {
        this.#lastRejoinError = undefined;
      })
      .catch((error: unknown) => {
        this.#lastRejoinError = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        this.#rejoining = undefined;
      });
    return this.#rejoining;
  }

  /** The standby's server rebuilt from a base backup of the primary, until it streams. */
  async #rebuildStandby(): Promise<void> {
    const node = this.#standby;
    if (await node.cluster.isRunning()) await node.cluster.stop('immediate').catch(() => undefined);
    await rm(node.rootDir, { recursive: true, force: true });
    node.cluster = await PostgresCluster.createStandby(this.#primary.cluster, {
      rootDir: node.rootDir,
      applicationName: node.name,
    });
    await this.#waitForStreaming();
    await this.#synchronous();
  }

  /**
   * Brings the standby back in sync: waits for a rebuild under way, rebuilds one that is down,
   * and does nothing to one that streams (`rejoined: false`), so it can run twice.
   */
  rejoin(): Promise<StandbyRejoin> {
    return this.#exclusive(async () => {
      const started = performance.now();
      const standby = { name: this.#standby.name, zone: this.#standby.zone };
      const before = await this.#standbyState();
      if (before.state === 'streaming') return { standby, rejoined: false, durationMs: 0 };
      await this.#startRejoin();
      const after = await this.#standbyState();
      if (after.state !== 'streaming') {
        throw new SandboxDatabaseError(
          `the standby ${this.#standby.name} did not rejoin: ${after.detail ?? after.state}`,
        );
      }
      return { standby, rejoined: true, durationMs: Math.round(performance.now() - started) };
    });
  }

  async destroy(): Promise<void> {
    await this.#endpoint.close();
    await this.#rejoining?.catch(() => undefined);
    await this.#standby.cluster.destroy().catch(() => undefined);
    await this.#primary.cluster.destroy();
    await rm(this.#rootDir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }
}
