// Schema migrations as a separate step (a Job / init step, never at server start):
//   node src/migrate.ts [up|down] [count]
// Uses node-pg-migrate with the SAME connection settings as the server (PG* or DATABASE_URL,
// PGSSLMODE/PGSSLROOTCERT), so TLS behaves identically. Exit 0 done, 1 migration failed, 2 bad input.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { type BackendConfig, ConfigError, loadConfig, poolConfig } from './config.ts';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export interface MigrateOptions {
  count?: number;
  /** Defaults to loadConfig() (the environment). */
  config?: BackendConfig;
  log?: (message: string) => void;
}

/** Applies (up) or reverts (down) migrations; returns the names that ran. */
export async function migrate(
  direction: 'up' | 'down',
  options: MigrateOptions = {},
): Promise<string[]> {
  const { count } = options;
  const config = options.config ?? loadConfig();
  const client = new pg.Client(poolConfig(config.database));
  await client.connect();
  try {
    const ran = await runner({
      dbClient: client,
      dir: migrationsDir,
      direction,
      migrationsTable: 'pgmigrations',
      ...(count === undefined ? {} : { count }),
      log:
        options.log ??
        ((msg: string) =>
          process.stdout.write(
            `${JSON.stringify({ level: 'info', service: 'backend-migrate', msg })}\n`,
          )),
    });
    return ran.map((m) => m.name);
  } finally {
    await client.end();
  }
}

if (import.meta.main) {
  const [directionArg = 'up', countArg] = process.argv.slice(2);
  if (directionArg !== 'up' && directionArg !== 'down') {
    process.stderr.write(`usage: migrate [up|down] [count] (got '${directionArg}')\n`);
    process.exit(2);
  }
  const count = countArg === undefined ? undefined : Number(countArg);
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
    process.stderr.write(`count must be a positive integer (got '${countArg}')\n`);
    process.exit(2);
  }
  try {
    const ran = await migrate(directionArg, count === undefined ? {} : { count });
    process.stdout.write(
      `${JSON.stringify({ level: 'info', service: 'backend-migrate', msg: 'done', direction: directionArg, migrations: ran })}\n`,
    );
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`migration failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
