// The migration step as users run it: `pnpm --filter @stackproof/backend migrate` runs
// `node src/migrate.ts up` with the connection from the environment.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { reserveLoopbackPort } from '@stackproof/core';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createDatabase, envFor } from './harness.ts';

const exec = promisify(execFile);
const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args: string[], env: Record<string, string>) =>
  exec(process.execPath, ['src/migrate.ts', ...args], {
    cwd: pkgDir,
    env: { ...process.env, ...env },
    timeout: 30_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

async function tables(database: string): Promise<string[]> {
  const info = inject('pg');
  const client = new pg.Client({
    host: info.host,
    port: info.port,
    user: info.user,
    password: info.password,
    database,
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    return rows.map((r) => r.t);
  } finally {
    await client.end();
  }
}

describe('migrations (node-pg-migrate)', () => {
  it('up creates the schema, a second up is a no-op, down reverts it', async () => {
    const info = inject('pg');
    const db = await createDatabase(info, 'migrate');
    const env = envFor(info, db);
    expect(await tables(db)).toEqual([]);

    const up = await run(['up'], env);
    expect(up.code, up.stderr).toBe(0);
    expect(await tables(db)).toEqual(['items', 'pgmigrations']);
    expect(up.stdout).toContain('1732300000000_create-items');

    const again = await run(['up'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('"migrations":[]');

    const down = await run(['down', '1'], env);
    expect(down.code, down.stderr).toBe(0);
    expect(await tables(db)).toEqual(['pgmigrations']);
  });

  it('exits 2 on bad arguments and on bad configuration, without touching the database', async () => {
    const info = inject('pg');
    const db = await createDatabase(info, 'migrate_bad');
    const bad = await run(['sideways'], envFor(info, db));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: migrate');
    const badConfig = await run(['up'], { ...envFor(info, db), PGSSLMODE: 'prefer' });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('PGSSLMODE=prefer is not supported');
    expect(await tables(db)).toEqual([]);
  });

  it('exits 1 with the reason when the database cannot be reached', async () => {
    const info = inject('pg');
    const res = await run(['up'], {
      ...envFor(info, 'postgres'),
      PGPORT: String(await reserveLoopbackPort()),
      PG_CONNECT_TIMEOUT_MS: '1000',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/migration failed: .*ECONNREFUSED/);
  });
});
