import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { pollUntil } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { watchList } from './informers.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { issueCertificate } from './pki.ts';

// Real etcd and kube-apiserver; the watch failures are real ones too: a user RBAC lets list
// ConfigMaps but not watch them gets 403 on every watch, until it may.

let scratch: string;
let cp: ControlPlane;
let core: CoreV1Api;
let rbac: RbacAuthorizationV1Api;

function kubeConfigOf(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** A kubeconfig for `user`, whose client certificate the control plane's CA signs. */
async function userKubeconfig(user: string): Promise<KubeConfig> {
  const client = await issueCertificate(join(scratch, 'certs'), {
    file: user,
    cn: user,
    usage: ['clientAuth'],
    signer: cp.pki.ca,
  });
  const path = join(scratch, `${user}.kubeconfig`);
  await writeKubeconfig(path, { server: cp.server, caFile: cp.pki.ca.cert, client, user });
  return kubeConfigOf(path);
}

/** Lets `user` do `verbs` on ConfigMaps in every namespace. */
async function allow(user: string, verbs: string[]): Promise<void> {
  const role = {
    metadata: { name: user },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs }],
  };
  try {
    await rbac.createClusterRole({ body: role });
  } catch {
    await rbac.replaceClusterRole({ name: user, body: role });
  }
  await rbac
    .createClusterRoleBinding({
      body: {
        metadata: { name: user },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    })
    .catch(() => undefined);
}

const configMaps = (kc: KubeConfig) => () =>
  kc.makeApiClient(CoreV1Api).listConfigMapForAllNamespaces({ labelSelector: 'watched=yes' });

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'stackproof-informers-'));
  cp = await startControlPlane({ workDir: join(scratch, 'cp') });
  const admin = kubeConfigOf(cp.kubeconfigPath);
  core = admin.makeApiClient(CoreV1Api);
  rbac = admin.makeApiClient(RbacAuthorizationV1Api);
}, 240_000);

afterAll(async () => {
  await cp?.stop();
  await rm(scratch, { recursive: true, force: true });
}, 60_000);

describe('watchList', () => {
  it('sees objects created and deleted after it started, from its cache', async () => {
    let changes = 0;
    const admin = kubeConfigOf(cp.kubeconfigPath);
    const watched = await watchList<V1ConfigMap>(admin, '/api/v1/configmaps', configMaps(admin), {
      labelSelector: 'watched=yes',
      onChange: () => changes++,
    });
    try {
      expect(watched.list()).toEqual([]);
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'seen', labels: { watched: 'yes' } }, data: { a: '1' } },
      });
      // Not watched: the label selector goes to the watch as well as the list.
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'unseen' } },
      });
      await pollUntil(async () => (watched.list().length === 1 ? true : undefined), {
        what: 'the ConfigMap to reach the cache',
        timeoutMs: 10_000,
        intervalMs: 20,
      });
      expect(watched.list().map((c) => c.metadata?.name)).toEqual(['seen']);
      expect(changes).toBeGreaterThan(0);
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'seen' });
      await pollUntil(async () => (watched.list().length === 0 ? true : undefined), {
        what: 'the deletion to reach the cache',
        timeoutMs: 10_000,
        intervalMs: 20,
      });
      expect(watched.lastError()).toBeUndefined();
    } finally {
      await watched.stop();
    }
  });

  it('refuses to start without a first list (the apiserver refuses it)', async () => {
    const stranger = await userKubeconfig('stranger');
    await expect(
      watchList<V1ConfigMap>(stranger, '/api/v1/configmaps', configMaps(stranger), {
        onChange: () => undefined,
      }),
    ).rejects.toThrow(/forbidden/i);
  });

  it('restarts a watch that fails, and sees changes once the watch works again', async () => {
    await allow('lister', ['list']);
    const lister = await userKubeconfig('lister');
    const watched = await watchList<V1ConfigMap>(lister, '/api/v1/configmaps', configMaps(lister), {
      labelSelector: 'watched=yes',
      onChange: () => undefined,
      restartDelayMs: 200,
    });
    try {
      // The list worked, every watch is refused (403) and restarted with a growing delay.
      await pollUntil(async () => watched.lastError(), {
        what: 'the refused watch to be reported',
        timeoutMs: 10_000,
        intervalMs: 20,
      });
      expect(watched.lastError()).toMatch(/forbidden/i);
      await allow('lister', ['list', 'watch']);
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'after-restart', labels: { watched: 'yes' } } },
      });
      await pollUntil(
        async () =>
          watched.list().some((c) => c.metadata?.name === 'after-restart') ? true : undefined,
        { what: 'the restarted watch to deliver the ConfigMap', timeoutMs: 30_000, intervalMs: 50 },
      );
    } finally {
      await watched.stop();
    }
  });
});
