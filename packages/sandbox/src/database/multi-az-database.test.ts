import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiAzDatabase } from './multi-az-database.ts';
import { findPgBinDir } from './postgres-cluster.ts';

// Real PostgreSQL servers (Debian's), real streaming replication, a real TCP endpoint: the
// sandbox's Multi-AZ stand-in without the rest of the sandbox.

let dir: string;
let db: MultiAzDatabase;

/** One statement through the endpoint, as any client of the database would send it. */
async function sql(statement: string): Promise<string> {
  const result = await runTool(
    join(findPgBinDir(), 'psql'),
    [
      '-h',
      db.endpoint.host,
      '-p',
      String(db.endpoint.port),
      '-U',
      db.user,
      '-d',
      'app',
      '-tAc',
      statement,
    ],
    { env: { ...process.env, PGPASSWORD: db.password, PGCONNECT_TIMEOUT: '5' }, timeoutMs: 30_000 },
  );
  if (result.exitCode !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result.stdout.trim();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-multi-az-'));
  // mkdtemp makes it 0700; as root PostgreSQL runs as `postgres` and must enter it.
  await chmod(dir, 0o755);
  db = await MultiAzDatabase.create({
    rootDir: join(dir, 'postgres'),
    zones: { primary: 'me-central-1a', standby: 'me-central-1b' },
    databases: ['app'],
  });
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('MultiAzDatabase (the sandbox’s RDS Multi-AZ stand-in)', () => {
  it('starts with the primary in one zone and a streaming standby in the other', async () => {
    const topology = await db.topology();
    expect(topology).toMatchObject({
      primary: { name: 'postgres-me-central-1a', zone: 'me-central-1a', running: true },
      standby: { name: 'postgres-me-central-1b', zone: 'me-central-1b', state: 'streaming' },
      multiAz: true,
      failovers: 0,
    });
    expect(await sql('SELECT pg_is_in_recovery()')).toBe('f');
  });

  it('fails over: open sessions break, the standby is promoted behind the same endpoint, committed data survives, the old primary rejoins', async () => {
    // Committed right before the primary dies: synchronous replication keeps it (the first run
    // of this test, with asynchronous streaming, lost the table on a loaded machine).
    await sql('CREATE TABLE orders (id int PRIMARY KEY)');
    await sql('INSERT INTO orders VALUES (1), (2)');
    expect(
      await sql(
        "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'postgres-me-central-1b'",
      ),
    ).toBe('sync');
    const session = connect({ host: db.endpoint.host, port: db.endpoint.port });
    await once(session, 'connect');
    const broken = new Promise<string>((resolve) => {
      session.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      session.on('close', () => resolve('closed'));
    });

    const failover = await db.failover();
    expect(failover).toMatchObject({
      from: { zone: 'me-central-1a' },
      to: { zone: 'me-central-1b' },
      connectionsReset: 1,
    });
    expect(await broken).toMatch(/ECONNRESET|closed/);
    // The same address now reaches the promoted server, which accepts writes.
    expect(await sql('SELECT count(*) FROM orders')).toBe('2');
    await sql('INSERT INTO orders VALUES (3)');
    const after = await db.topology();
    expect(after.primary).toMatchObject({ zone: 'me-central-1b', running: true });
    expect(after.standby.zone).toBe('me-central-1a');
    expect(after.failovers).toBe(1);

    // A second failover right away is refused: the old primary is still being rebuilt.
    await expect(db.failover()).rejects.toMatchObject({ code: 'SANDBOX_DATABASE_NO_STANDBY' });

    const rejoin = await db.rejoin();
    expect(rejoin.standby.zone).toBe('me-central-1a');
    expect((await db.topology()).multiAz).toBe(true);
    // Idempotent: a standby that streams is left alone.
    expect(await db.rejoin()).toMatchObject({ rejoined: false });
  });

  it('fails back to the original zone once the standby is in sync, with every row', async () => {
    await db.failover();
    expect((await db.topology()).primary.zone).toBe('me-central-1a');
    expect(await sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM orders")).toBe('1,2,3');
    await db.rejoin();
    expect((await db.topology()).standby).toMatchObject({
      zone: 'me-central-1b',
      state: 'streaming',
    });
  });
});
