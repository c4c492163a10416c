import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { PoolConfig } from 'pg';

/** libpq's sslmode values that the backend honours (allow/prefer are refused: they hide downgrades). */
export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export interface DatabaseConfig {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  sslMode: SslMode;
  /** PEM text of the CA bundle the server certificate must chain to (verify-ca / verify-full). */
  sslRootCert: string | undefined;
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

export interface BackendConfig {
  host: string;
  port: number;
  logLevel: string;
  /** Largest accepted request body; larger ones get 413 without being read to the end. */
  bodyLimitBytes: number;
  /** Upper bound for /api/work?iterations=N, so one request cannot pin a core for long. */
  workMaxIterations: number;
  workDefaultIterations: number;
  /** Timeout of the readiness probe's `SELECT 1`. */
  readyTimeoutMs: number;
  /** How long SIGTERM waits for in-flight requests before cutting connections. */
  shutdownTimeoutMs: number;
  database: DatabaseConfig;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid backend configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the configuration from the environment: PORT/HOST, the libpq variables (PGHOST, PGPORT,
 * PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT) or DATABASE_URL (whose query may carry
 * sslmode and sslrootcert; explicit PG* variables win over the URL). Collects every problem
 * instead of stopping at the first, so one run tells the operator everything to fix.
 */
export function loadConfig(env: Env = process.env): BackendConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}=${raw} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return value;
  };

  let url: URL | undefined;
  if (env.DATABASE_URL) {
    try {
      url = new URL(env.DATABASE_URL);
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        problems.push(
          `DATABASE_URL must start with postgres:// or postgresql:// (got ${url.protocol}//)`,
        );
      }
    } catch {
      problems.push(
        'DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)',
      );
    }
  }
  const fromUrl = (
    part: 'host' | 'port' | 'user' | 'password' | 'database',
  ): string | undefined => {
    if (!url) return undefined;
    const v =
      part === 'host'
        ? url.hostname
        : part === 'port'
          ? url.port
          : part === 'user'
            ? url.username
            : part === 'password'
              ? url.password
              : url.pathname.replace(/^\//, '');
    return v === '' ? undefined : decodeURIComponent(v);
  };

  const sslModeRaw = env.PGSSLMODE ?? url?.searchParams.get('sslmode') ?? 'disable';
  const sslModes: readonly SslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];
  let sslMode: SslMode = 'disable';
  if ((sslModes as readonly string[]).includes(sslModeRaw)) {
    sslMode = sslModeRaw as SslMode;
  } else {
    problems.push(`PGSSLMODE=${sslModeRaw} is not supported; use one of ${sslModes.join(', ')}`);
  }
  const sslRootCertPath = env.PGSSLROOTCERT ?? url?.searchParams.get('sslrootcert') ?? undefined;
  let sslRootCert: string | undefined;
  if (sslRootCertPath) {
    try {
      sslRootCert = readFileSync(sslRootCertPath, 'utf8');
    } catch (error) {
      problems.push(`PGSSLROOTCERT=${sslRootCertPath} cannot be read: ${(error as Error).message}`);
    }
  } else if (sslMode === 'verify-ca' || sslMode === 'verify-full') {
    // Without a CA file Node verifies against its built-in public CAs, which is what RDS users
    // usually do NOT want (RDS uses its own CA); say so rather than fail later with a TLS error.
    problems.push(
      `PGSSLMODE=${sslMode} needs PGSSLROOTCERT (the CA bundle file, e.g. the RDS bundle)`,
    );
  }

  const database: DatabaseConfig = {
    host: env.PGHOST ?? fromUrl('host') ?? '127.0.0.1',
    port: int('PGPORT', Number(fromUrl('port') ?? 5432), 1, 65535),
    user: env.PGUSER ?? fromUrl('user') ?? 'postgres',
    password: env.PGPASSWORD ?? fromUrl('password'),
    database: env.PGDATABASE ?? fromUrl('database') ?? 'postgres',
    sslMode,
    sslRootCert,
    poolMax: int('PG_POOL_MAX', 10, 1, 1000),
    connectTimeoutMs: int('PG_CONNECT_TIMEOUT_MS', 2000, 100, 60_000),
    statementTimeoutMs: int('PG_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
  };

  const workMaxIterations = int('WORK_MAX_ITERATIONS', 1_000_000, 1, 100_000_000);
  const config: BackendConfig = {
    host: env.HOST ?? '0.0.0.0',
    port: int('PORT', 8080, 0, 65535),
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 16 * 1024, 64, 10 * 1024 * 1024),
    workMaxIterations,
    workDefaultIterations: int('WORK_DEFAULT_ITERATIONS', 10_000, 1, workMaxIterations),
    readyTimeoutMs: int('READY_TIMEOUT_MS', 1000, 50, 30_000),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
    database,
  };
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(config.logLevel)) {
    problems.push(`LOG_LEVEL=${config.logLevel} must be one of ${levels.join(', ')}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** TLS options for node-postgres, with libpq's meaning of each sslmode. */
export function tlsOptions(db: DatabaseConfig): false | ConnectionOptions {
  switch (db.sslMode) {
    case 'disable':
      return false;
    case 'require':
      // libpq's require: encrypt, do not verify the server (verify-* exist for that).
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // Chain must verify; the host name is not checked (libpq semantics).
      return { rejectUnauthorized: true, ...ca(db), checkServerIdentity: () => undefined };
    case 'verify-full':
      // node-postgres checks the certificate against the host (SNI only for names, not IPs).
      return { rejectUnauthorized: true, ...ca(db) };
  }
}

const ca = (db: DatabaseConfig): { ca?: string } => (db.sslRootCert ? { ca: db.sslRootCert } : {});

export function poolConfig(db: DatabaseConfig): PoolConfig {
  return {
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: db.database,
    ssl: tlsOptions(db),
    max: db.poolMax,
    connectionTimeoutMillis: db.connectTimeoutMs,
    statement_timeout: db.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'stackproof-backend',
  };
}
