import { AppsV1Api, CoreV1Api, type KubeConfig, type V1EnvVar } from '@kubernetes/client-node';
import pg from 'pg';
import { ReleaseError } from './release-error.ts';

/** Where the backend's database is, as its own environment says (libpq variables). */
export interface DatabaseConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly sslMode: string;
}

/**
 * The database a Deployment's container talks to, read from its env (PGHOST, PGPORT,
 * PGDATABASE, PGSSLMODE as values; PGUSER and PGPASSWORD from their Secret), so the proof reaches
 * exactly the database the migrations run against.
 */
export async function databaseOfDeployment(
  kc: KubeConfig,
  namespace: string,
  deployment: string,
): Promise<DatabaseConnection> {
  const d = await kc
    .makeApiClient(AppsV1Api)
    .readNamespacedDeployment({ namespace, name: deployment });
  const env = d.spec?.template.spec?.containers.find((c) =>
    (c.env ?? []).some((e) => e.name === 'PGHOST'),
  )?.env;
  if (env === undefined) {
    throw new ReleaseError(
      'PROOF_PRECONDITION',
      `no container of ${namespace}/${deployment} sets PGHOST; cannot tell which database it uses`,
    );
  }
  const core = kc.makeApiClient(CoreV1Api);
  const value = async (name: string, fallback?: string): Promise<string> => {
    const variable: V1EnvVar | undefined = env.find((e) => e.name === name);
    if (variable?.value !== undefined) return variable.value;
    const ref = variable?.valueFrom?.secretKeyRef;
    if (ref !== undefined) {
      const secret = await core.readNamespacedSecret({ namespace, name: ref.name ?? '' });
      const data = secret.data?.[ref.key];
      if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
    }
    if (fallback !== undefined) return fallback;
    throw new ReleaseError(
      'PROOF_PRECONDITION',
      `${namespace}/${deployment} has no value for ${name} that the proof can read`,
    );
  };
  return {
    host: await value('PGHOST'),
    port: Number(await value('PGPORT', '5432')),
    database: await value('PGDATABASE'),
    user: await value('PGUSER'),
    password: await value('PGPASSWORD'),
    sslMode: await value('PGSSLMODE', 'disable'),
  };
}

/** node-pg-migrate's history table, as services/backend/src/migrate.ts names it. */
export const MIGRATIONS_TABLE = 'pgmigrations';

export interface MigrationDrift {
  /** The migration the history no longer lists, while its schema stays. */
  readonly migration: string;
  /** Puts the history row back (idempotent). */
  restore(): Promise<void>;
}

async function connect(db: DatabaseConnection): Promise<pg.Client> {
  const client = new pg.Client({
    host: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    password: db.password,
    ssl: db.sslMode === 'disable' ? false : { rejectUnauthorized: false },
    connectionTimeoutMillis: 5_000,
  });
  try {
    await client.connect();
  } catch (error) {
    throw new ReleaseError(
      'DATABASE_UNREACHABLE',
      `cannot reach the backend's database at ${db.host}:${db.port}/${db.database}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return client;
}

/**
 * Makes the next migration run fail the way a real one does when the schema has drifted from the
 * migration history (a hand-made change, a half-applied migration): the newest migration's
 * history row is taken out while everything it created stays, so `migrate up` runs it again and
 * its DDL fails (`relation "items" already exists`). Nothing the running backend reads changes.
 * `restore()` puts the row back; until then every deploy of this database stops at its
 * migrations step.
 */
export async function forgetNewestMigration(db: DatabaseConnection): Promise<MigrationDrift> {
  const client = await connect(db);
  let row: { name: string; run_on: Date } | undefined;
  try {
    const result = await client.query<{ name: string; run_on: Date }>(
      `DELETE FROM ${MIGRATIONS_TABLE} WHERE id = (SELECT id FROM ${MIGRATIONS_TABLE} ORDER BY run_on DESC, id DESC LIMIT 1) RETURNING name, run_on`,
    );
    row = result.rows[0];
  } catch (error) {
    throw new ReleaseError(
      'PROOF_PRECONDITION',
      `cannot edit the migration history (${MIGRATIONS_TABLE}) of ${db.database}: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    await client.end();
  }
  if (row === undefined) {
    throw new ReleaseError(
      'PROOF_PRECONDITION',
      `${db.database} has no applied migration to make fail; deploy the backend once first`,
    );
  }
  const kept = row;
  return {
    migration: kept.name,
    async restore() {
      const c = await connect(db);
      try {
        await c.query(
          `INSERT INTO ${MIGRATIONS_TABLE} (name, run_on) SELECT $1::varchar, $2::timestamp WHERE NOT EXISTS (SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE name = $1::varchar)`,
          [kept.name, kept.run_on],
        );
      } finally {
        await c.end();
      }
    },
  };
}
