// TLS to the database when asked: a PostgreSQL that only accepts TLS (hostssl), certificates made
// with openssl for this run. verify-full with the right CA connects over TLS; the twins show a
// wrong CA, a name mismatch and plaintext are all refused (readiness false), not silently accepted.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PostgresCluster } from '@stackproof/sandbox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, startTestBackend } from './harness.ts';

const exec = promisify(execFile);
let dir: string;
let cluster: PostgresCluster;
let database: string;

async function makeCa(name: string): Promise<void> {
  await exec('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.crt`),
  ]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-tls-'));
  await makeCa('test-ca');
  await makeCa('other-ca');
  await exec('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    join(dir, 'server.key'),
    '-out',
    join(dir, 'server.csr'),
  ]);
  await exec('bash', [
    '-c',
    `printf 'subjectAltName=IP:127.0.0.1,DNS:db.stackproof.test\\n' > ${join(dir, 'san.ext')}`,
  ]);
  await exec('openssl', [
    'x509',
    '-req',
    '-in',
    join(dir, 'server.csr'),
    '-CA',
    join(dir, 'test-ca.crt'),
    '-CAkey',
    join(dir, 'test-ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    join(dir, 'san.ext'),
    '-out',
    join(dir, 'server.crt'),
  ]);
  cluster = await PostgresCluster.create({
    templateDataDir: inject('pgTemplateDataDir'),
    conf: ['ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'"],
    hba: 'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n',
    files: {
      'server.crt': await readFile(join(dir, 'server.crt'), 'utf8'),
      'server.key': await readFile(join(dir, 'server.key'), 'utf8'),
    },
  });
  // Creating the database needs TLS too: go through a verify-full backend's pool-less path.
  database = await createDatabase(cluster.info, 'tls', {
    ssl: { ca: await readFile(join(dir, 'test-ca.crt'), 'utf8') },
  });
});
afterAll(async () => {
  await cluster?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('TLS to PostgreSQL', () => {
  it('verify-full with the right CA: ready, and the session is encrypted', async () => {
    await using backend = await startTestBackend({
      info: cluster.info,
      database,
      env: { PGSSLMODE: 'verify-full', PGSSLROOTCERT: join(dir, 'test-ca.crt') },
    });
    expect((await fetch(`${backend.server.url}/readyz`)).status).toBe(200);
    const created = await fetch(`${backend.server.url}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"over tls"}',
    });
    expect(created.status).toBe(201);
  });

  it('require: encrypts without verifying the chain (libpq semantics)', async () => {
    await using backend = await startTestBackend({
      info: cluster.info,
      database,
      env: { PGSSLMODE: 'require' },
    });
    expect((await fetch(`${backend.server.url}/readyz`)).status).toBe(200);
  });

  it('negative twin: verify-full with a CA that did not sign the server certificate is refused', async () => {
    await expect(
      startTestBackend({
        info: cluster.info,
        database,
        env: { PGSSLMODE: 'verify-full', PGSSLROOTCERT: join(dir, 'other-ca.crt') },
      }),
    ).rejects.toThrow(/self.signed|unable to verify|certificate/i);
  });

  it('negative twin: verify-full against a host name the certificate does not name is refused', async () => {
    await expect(
      startTestBackend({
        info: { ...cluster.info, host: 'localhost' },
        database,
        env: { PGSSLMODE: 'verify-full', PGSSLROOTCERT: join(dir, 'test-ca.crt') },
      }),
    ).rejects.toThrow(/altnames|does not match|Hostname/i);
  });

  it('negative twin: plaintext (disable) is rejected by the TLS-only server', async () => {
    await expect(
      startTestBackend({ info: cluster.info, database, env: { PGSSLMODE: 'disable' } }),
    ).rejects.toThrow(/no pg_hba.conf entry|no encryption/i);
  });
});
