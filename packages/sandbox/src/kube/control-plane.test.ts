import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { isLoopbackPortFree } from '@stackproof/core';
import { ComponentStartError, resolveTool } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesReferencing } from '../lifecycle/residue.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { probeGet } from './https-probe.ts';
import { createControlPlanePki } from './pki.ts';

// Real etcd and kube-apiserver (built by `make tools`, found through ETCD_BIN /
// KUBE_APISERVER_BIN or PATH); a missing binary fails the suite with a message naming `make tools`.

const START_TIMEOUT_MS = 240_000;

describe('startControlPlane: etcd + kube-apiserver on loopback', () => {
  let cp: ControlPlane;
  let core: CoreV1Api;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'stackproof-cp-test-'));
    cp = await startControlPlane({ workDir: join(scratch, 'cp') });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await cp?.stop();
    await rm(scratch, { recursive: true, force: true });
  }, 60_000);

  it('serves https on 127.0.0.1 and answers /readyz', async () => {
    expect(cp.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const readyz = await probeGet(`${cp.server}/readyz`, {
      caFile: cp.pki.ca.cert,
      client: cp.pki.admin,
    });
    expect(readyz).toEqual({ status: 200, body: 'ok' });
    const version = await probeGet(`${cp.server}/version`, {
      caFile: cp.pki.ca.cert,
      client: cp.pki.admin,
    });
    expect(JSON.parse(version.body)).toMatchObject({
      gitVersion: expect.stringMatching(/^v1\.\d+\.\d+/),
    });
    expect(cp.components.map((c) => c.name)).toEqual(['etcd', 'kube-apiserver']);
  });

  it('stores a ConfigMap and reads it back', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'smoke' }, data: { greeting: 'hello from etcd' } },
    });
    const read = await core.readNamespacedConfigMap({ namespace: 'default', name: 'smoke' });
    expect(read.data).toEqual({ greeting: 'hello from etcd' });
    expect(read.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects an object that fails validation, and stores nothing', async () => {
    const error = await core
      .createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'Not_A_Valid_Name' }, data: { a: 'b' } },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(422);
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(list.items.map((i) => i.metadata?.name)).not.toContain('Not_A_Valid_Name');
  });

  it('refuses a request without a client certificate (anonymous is forbidden)', async () => {
    const res = await probeGet(`${cp.server}/api/v1/namespaces/default/configmaps`, {
      caFile: cp.pki.ca.cert,
    });
    expect(res.status).toBe(403);
    expect(res.body).toContain('system:anonymous');
  });

  it('refuses a client certificate from another CA (401)', async () => {
    const foreign = await createControlPlanePki(join(scratch, 'foreign-pki'));
    const res = await probeGet(`${cp.server}/api/v1/namespaces/default/configmaps`, {
      caFile: cp.pki.ca.cert,
      client: foreign.admin,
    });
    expect(res.status).toBe(401);
  });

  it('stops every component and leaves no process or port behind', async () => {
    const pids = cp.components.map((c) => c.pid);
    const ports = cp.components.flatMap((c) => c.ports);
    expect(pids.every((pid) => existsSync(`/proc/${pid}`))).toBe(true);
    expect(await Promise.all(ports.map(isLoopbackPortFree))).toEqual(ports.map(() => false));

    await cp.stop();

    expect(pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(await processesReferencing(cp.workDir)).toEqual([]);
    expect(await Promise.all(ports.map(isLoopbackPortFree))).toEqual(ports.map(() => true));
    // A given work dir is kept (logs), with one log per component.
    expect(existsSync(join(cp.workDir, 'logs', 'kube-apiserver.log'))).toBe(true);
  }, 60_000);
});

describe('startControlPlane when a component cannot start', () => {
  let scratch: string;
  const saved = process.env.KUBE_APISERVER_BIN;

  beforeAll(async () => {
    // This case needs a real etcd: say so plainly (`make tools`) when there is none.
    resolveTool('etcd');
    scratch = await mkdtemp(join(tmpdir(), 'stackproof-cp-fail-'));
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.KUBE_APISERVER_BIN;
    else process.env.KUBE_APISERVER_BIN = saved;
    await rm(scratch, { recursive: true, force: true });
  });

  it(
    'names it with its log and stops the etcd it already started',
    async () => {
      const broken = join(scratch, 'kube-apiserver');
      await writeFile(broken, '#!/bin/sh\necho "E1123 unknown flag: --frobnicate" >&2\nexit 1\n');
      await chmod(broken, 0o755);
      process.env.KUBE_APISERVER_BIN = broken;
      const workDir = join(scratch, 'cp');

      const error = await startControlPlane({ workDir }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ComponentStartError);
      expect((error as ComponentStartError).component).toBe('kube-apiserver');
      expect(String(error)).toContain('unknown flag: --frobnicate');
      // etcd had started (its log exists) and was stopped again.
      expect(existsSync(join(workDir, 'logs', 'etcd.log'))).toBe(true);
      expect(await processesReferencing(workDir)).toEqual([]);
    },
    START_TIMEOUT_MS,
  );
});
