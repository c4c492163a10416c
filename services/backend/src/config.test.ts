import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, poolConfig, tlsOptions } from './config.ts';

let dir: string;
let caFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-config-'));
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('defaults to a plaintext local database and port 8080', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.database).toMatchObject({ host: '127.0.0.1', port: 5432, sslMode: 'disable' });
    expect(tlsOptions(config.database)).toBe(false);
  });

  it('reads DATABASE_URL, including sslmode and sslrootcert; PG* variables win over it', () => {
    const url = `postgres://app:s%40cret@db.example:6543/appdb?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`;
    const config = loadConfig({ DATABASE_URL: url });
    expect(config.database).toMatchObject({
      host: 'db.example',
      port: 6543,
      user: 'app',
      password: 's@cret',
      database: 'appdb',
      sslMode: 'verify-full',
    });
    expect(config.database.sslRootCert).toContain('BEGIN CERTIFICATE');
    expect(
      loadConfig({ DATABASE_URL: url, PGHOST: 'other', PGSSLMODE: 'require' }).database,
    ).toMatchObject({ host: 'other', sslMode: 'require' });
  });

  it('maps sslmode to TLS options with libpq meaning', () => {
    const base = loadConfig({}).database;
    expect(tlsOptions({ ...base, sslMode: 'require' })).toEqual({ rejectUnauthorized: false });
    const full = tlsOptions({ ...base, sslMode: 'verify-full', sslRootCert: 'PEM' });
    expect(full).toEqual({ rejectUnauthorized: true, ca: 'PEM' });
    const ca = tlsOptions({ ...base, sslMode: 'verify-ca', sslRootCert: 'PEM' });
    expect(ca).toMatchObject({ rejectUnauthorized: true, ca: 'PEM' });
    expect(poolConfig({ ...base, sslMode: 'verify-full', sslRootCert: 'PEM' }).ssl).toEqual(full);
  });

  it('lists every problem at once in a ConfigError', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: '99999',
        PGSSLMODE: 'prefer',
        PGSSLROOTCERT: join(dir, 'missing.pem'),
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'not a url',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    expect(problems).toContain('PORT=99999');
    expect(problems).toContain('PGSSLMODE=prefer is not supported');
    expect(problems).toContain('missing.pem cannot be read');
    expect(problems).toContain('LOG_LEVEL=loud');
    expect(problems).toContain('DATABASE_URL is not a valid URL');
  });

  it('refuses verify-full without a CA file instead of trusting public CAs silently', () => {
    expect(() => loadConfig({ PGSSLMODE: 'verify-full' })).toThrow(/needs PGSSLROOTCERT/);
    expect(() => loadConfig({ PGSSLMODE: 'verify-full', PGSSLROOTCERT: caFile })).not.toThrow();
  });
});
