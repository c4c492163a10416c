import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil, reserveLoopbackPorts } from '@stackproof/core';
import {
  type ManagedProcess,
  resolveTool,
  startManagedProcess,
  waitReady,
} from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesReferencing } from '../lifecycle/residue.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { probeGet } from './https-probe.ts';

// Toolchain smoke test: the pinned metrics-server binary runs against the sandbox apiserver.
// Wiring it into the sandbox (APIService, kubelet metrics from KWOK) belongs to the sandbox
// itself; here it only has to start, authenticate and serve.

describe('metrics-server against the sandbox apiserver', () => {
  let scratch: string;
  let cp: ControlPlane;
  let ms: ManagedProcess;
  let url: string;

  beforeAll(async () => {
    const binary = resolveTool('metrics-server').path;
    scratch = await mkdtemp(join(tmpdir(), 'stackproof-metrics-server-'));
    cp = await startControlPlane({ workDir: join(scratch, 'cp') });
    const [port] = (await reserveLoopbackPorts(1)) as [number];
    url = `https://127.0.0.1:${port}`;
    ms = await startManagedProcess({
      name: 'metrics-server',
      command: binary,
      logFile: join(cp.workDir, 'logs', 'metrics-server.log'),
      args: [
        `--kubeconfig=${cp.kubeconfigPath}`,
        `--authentication-kubeconfig=${cp.kubeconfigPath}`,
        `--authorization-kubeconfig=${cp.kubeconfigPath}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${join(cp.workDir, 'metrics-server-certs')}`,
        // Serves with a certificate the sandbox CA signed for 127.0.0.1, so the probe verifies it.
        `--tls-cert-file=${cp.pki.apiserver.cert}`,
        `--tls-private-key-file=${cp.pki.apiserver.key}`,
      ],
    });
    await waitReady(
      ms,
      async () => (await probeGet(`${url}/livez`, { caFile: cp.pki.ca.cert })).status === 200,
      { what: 'metrics-server /livez', timeoutMs: 120_000 },
    );
  }, 300_000);

  afterAll(async () => {
    await ms?.stop();
    await cp?.stop();
    if (cp !== undefined) expect(await processesReferencing(cp.workDir)).toEqual([]);
    await rm(scratch, { recursive: true, force: true });
  }, 60_000);

  it('is live and has synced its informers from the apiserver', async () => {
    const synced = await pollUntil(
      async () => {
        const readyz = await probeGet(`${url}/readyz?verbose`, { caFile: cp.pki.ca.cert });
        return readyz.body.includes('[+]metric-informer-sync ok') ? readyz : undefined;
      },
      { what: 'metrics-server informers to sync', timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(synced.body).toContain('[+]metadata-informer-sync ok');
  }, 90_000);

  it('is not ready while it has scraped no kubelet', async () => {
    const readyz = await probeGet(`${url}/readyz?verbose`, { caFile: cp.pki.ca.cert });
    expect(readyz.status).toBe(500);
    expect(readyz.body).toContain('[-]metric-storage-ready failed');
  });
});
