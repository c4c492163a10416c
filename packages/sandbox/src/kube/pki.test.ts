import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlanePki, createControlPlanePki } from './pki.ts';

const run = promisify(execFile);
let dir: string;
let pki: ControlPlanePki;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-pki-'));
  pki = await createControlPlanePki(join(dir, 'pki'));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cert = async (path: string) => new X509Certificate(await readFile(path));
const verify = (ca: string, leaf: string) =>
  run('openssl', ['verify', '-CAfile', ca, leaf]).then(
    () => true,
    () => false,
  );

describe('createControlPlanePki', () => {
  it('signs the apiserver certificate for loopback and the in-cluster names', async () => {
    const apiserver = await cert(pki.apiserver.cert);
    expect(apiserver.verify((await cert(pki.ca.cert)).publicKey)).toBe(true);
    expect(apiserver.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(apiserver.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc');
    expect(apiserver.checkIP('10.96.0.1')).toBe('10.96.0.1');
    expect(await verify(pki.ca.cert, pki.apiserver.cert)).toBe(true);
  });

  it('does not make the apiserver certificate valid for other hosts', async () => {
    const apiserver = await cert(pki.apiserver.cert);
    expect(apiserver.checkIP('192.0.2.2')).toBeUndefined();
    expect(apiserver.checkHost('example.com')).toBeUndefined();
  });

  it('gives the admin identity the system:masters group', async () => {
    const admin = await cert(pki.admin.cert);
    expect(admin.subject).toMatch(/O=system:masters/);
    expect(admin.subject).toMatch(/CN=kubernetes-admin/);
    expect(await verify(pki.ca.cert, pki.admin.cert)).toBe(true);
  });

  it('keeps the front proxy on its own CA', async () => {
    expect(await verify(pki.frontProxyCa.cert, pki.frontProxyClient.cert)).toBe(true);
    expect(await verify(pki.ca.cert, pki.frontProxyClient.cert)).toBe(false);
  });

  it('writes a matching service-account key pair', async () => {
    const { stdout } = await run('openssl', [
      'pkey',
      '-in',
      pki.serviceAccount.privateKey,
      '-pubout',
    ]);
    expect(stdout).toBe(await readFile(pki.serviceAccount.publicKey, 'utf8'));
  });
});
