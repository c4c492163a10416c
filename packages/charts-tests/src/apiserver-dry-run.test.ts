import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { type ControlPlane, startControlPlane } from '@stackproof/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNamespace,
  type DryRunOutcome,
  dryRunObjects,
  installCrds,
} from './apiserver-dry-run.ts';
import { crdFixturesDir, manifestFixturesDir, workloadsChartDir } from './chart-layout.ts';
import { renderChart } from './helm.ts';
import { describeObject, parseManifests } from './kubernetes-objects.ts';
import { manifestVariants } from './manifest-variants.ts';

// A real etcd + kube-apiserver (built by the toolchain, started by @stackproof/sandbox). The
// ExternalSecret CRD is the upstream one (fixtures/crds/README.md), installed for real; every
// rendered object is then sent with dryRun=All and fieldValidation=Strict.
const namespace = 'charts-dry-run';
const ciDir = join(workloadsChartDir, 'ci');
const ciScenarios = (await readdir(ciDir)).filter((file) => file.endsWith('-values.yaml')).sort();

let controlPlane: ControlPlane | undefined;

function kubeconfig(): string {
  if (controlPlane === undefined)
    throw new Error('the control plane did not start (see beforeAll)');
  return controlPlane.kubeconfigPath;
}

function refused(outcomes: readonly DryRunOutcome[]): DryRunOutcome[] {
  return outcomes.filter((outcome) => !outcome.accepted);
}

beforeAll(async () => {
  controlPlane = await startControlPlane();
  const crds = (await readdir(crdFixturesDir)).filter((file) => file.endsWith('.yaml'));
  await installCrds(
    kubeconfig(),
    crds.map((file) => join(crdFixturesDir, file)),
  );
  await createNamespace(kubeconfig(), namespace);
});

afterAll(async () => {
  await controlPlane?.stop();
});

async function renderedObjects(valuesFile: string): Promise<KubernetesObject[]> {
  return parseManifests(
    await renderChart(workloadsChartDir, {
      releaseName: 'dry-run',
      namespace,
      valuesFiles: [valuesFile],
    }),
  );
}

function objectOfKind(
  objects: readonly KubernetesObject[],
  kind: string,
): KubernetesObject & { spec: Record<string, unknown> } {
  const found = objects.find((object) => object.kind === kind);
  if (found === undefined) throw new Error(`the render holds no ${kind}`);
  return structuredClone(found) as KubernetesObject & { spec: Record<string, unknown> };
}

describe('kube-apiserver server-side dry run', () => {
  it.each(ciScenarios)('accepts every object rendered with ci/%s', async (file) => {
    const objects = await renderedObjects(join(ciDir, file));
    const outcomes = await dryRunObjects(kubeconfig(), namespace, objects);
    expect(refused(outcomes)).toEqual([]);
    expect(outcomes.map((o) => o.object)).toEqual(objects.map(describeObject));
  });

  it.each(manifestVariants.map((v) => v.name))(
    'accepts fixtures/manifests/%s.yaml (policy findings are not API errors)',
    async (name) => {
      const text = await readFile(join(manifestFixturesDir, `${name}.yaml`), 'utf8');
      const outcomes = await dryRunObjects(kubeconfig(), namespace, parseManifests(text));
      expect(refused(outcomes)).toEqual([]);
    },
  );

  describe('negative twins: the apiserver refuses what is invalid', () => {
    it('refuses a PodDisruptionBudget that sets both minAvailable and maxUnavailable', async () => {
      const objects = await renderedObjects(join(ciDir, 'default-values.yaml'));
      const pdb = objectOfKind(objects, 'PodDisruptionBudget');
      pdb.spec.minAvailable = 1;
      const [outcome] = await dryRunObjects(kubeconfig(), namespace, [pdb]);
      expect(outcome?.accepted).toBe(false);
      expect(outcome?.message).toMatch(/minAvailable/);
    });

    it('refuses an unknown field (strict field validation)', async () => {
      const objects = await renderedObjects(join(ciDir, 'default-values.yaml'));
      const deployment = objectOfKind(objects, 'Deployment');
      deployment.spec.replicaCount = 3;
      const [outcome] = await dryRunObjects(kubeconfig(), namespace, [deployment]);
      expect(outcome?.accepted).toBe(false);
      expect(outcome?.message).toMatch(/unknown field "spec.replicaCount"/);
    });

    it('refuses an ExternalSecret value outside the upstream CRD enum', async () => {
      const objects = await renderedObjects(join(ciDir, 'default-values.yaml'));
      const externalSecret = objectOfKind(objects, 'ExternalSecret');
      externalSecret.spec.secretStoreRef = { name: 'aws', kind: 'VaultStore' };
      const [outcome] = await dryRunObjects(kubeconfig(), namespace, [externalSecret]);
      expect(outcome?.accepted).toBe(false);
      expect(outcome?.message).toMatch(/secretStoreRef\.kind/);
    });

    it('refuses an unknown field in an ExternalSecret', async () => {
      const objects = await renderedObjects(join(ciDir, 'default-values.yaml'));
      const externalSecret = objectOfKind(objects, 'ExternalSecret');
      externalSecret.spec.refreshEvery = '1h';
      const [outcome] = await dryRunObjects(kubeconfig(), namespace, [externalSecret]);
      expect(outcome?.accepted).toBe(false);
      expect(outcome?.message).toMatch(/unknown field "spec.refreshEvery"/);
    });

    it('refuses a kind the apiserver does not serve', async () => {
      const [outcome] = await dryRunObjects(kubeconfig(), namespace, [
        { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'x' } },
      ]);
      expect(outcome).toMatchObject({
        accepted: false,
        message: expect.stringMatching(/serves no Certificate/),
      });
    });

    it('refuses a HorizontalPodAutoscaler whose minReplicas exceeds maxReplicas', async () => {
      const objects = await renderedObjects(join(ciDir, 'default-values.yaml'));
      const hpa = objectOfKind(objects, 'HorizontalPodAutoscaler');
      hpa.spec.minReplicas = 50;
      const [outcome] = await dryRunObjects(kubeconfig(), namespace, [hpa]);
      expect(outcome?.accepted).toBe(false);
      expect(outcome?.message).toMatch(/minReplicas|maxReplicas/);
    });
  });
});
