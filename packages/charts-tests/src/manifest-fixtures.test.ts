import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { REPO_ROOT } from '@stackproof/core';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestFixturesDir, workloadsChartDir } from './chart-layout.ts';
import { chartSourcesSha256 } from './chart-sources-hash.ts';
import { parseManifests } from './kubernetes-objects.ts';
import {
  findStaleManifestFixtures,
  fixtureDirs,
  type ManifestFixtureIndex,
  regenerateCommand,
} from './manifest-fixtures.ts';
import { manifestVariants, propertyIds } from './manifest-variants.ts';

const index = JSON.parse(
  await readFile(join(manifestFixturesDir, 'manifest.json'), 'utf8'),
) as ManifestFixtureIndex;

type Obj = KubernetesObject & { spec?: Record<string, unknown> };
async function fixture(name: string): Promise<Obj[]> {
  return parseManifests(await readFile(join(manifestFixturesDir, `${name}.yaml`), 'utf8'));
}
function ofKind(objects: readonly Obj[], kind: string): Obj[] {
  return objects.filter((object) => object.kind === kind);
}
function podSpecs(objects: readonly Obj[]): Record<string, unknown>[] {
  return ofKind(objects, 'Deployment').map(
    (d) => (d.spec?.template as { spec?: Record<string, unknown> } | undefined)?.spec ?? {},
  );
}
function containers(objects: readonly Obj[]): Record<string, unknown>[] {
  return podSpecs(objects).flatMap((pod) => pod.containers as Record<string, unknown>[]);
}

const tempDirs: string[] = [];
afterEach(async () => {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('fixtures/manifests', () => {
  it(`match a fresh render of the chart (else run \`${regenerateCommand}\`)`, async () => {
    expect(await findStaleManifestFixtures(workloadsChartDir, fixtureDirs)).toEqual([]);
    expect(index.chartSourcesSha256).toBe(await chartSourcesSha256(workloadsChartDir));
  });

  it('negative twin: a chart change without regeneration is reported', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stackproof-chart-copy-'));
    tempDirs.push(dir);
    const chartCopy = join(dir, 'stackproof-workloads');
    await cp(workloadsChartDir, chartCopy, { recursive: true });
    const valuesPath = join(chartCopy, 'values.yaml');
    const values = await readFile(valuesPath, 'utf8');
    await writeFile(valuesPath, values.replace('backendReplicas: 3', 'backendReplicas: 4'));
    const problems = await findStaleManifestFixtures(chartCopy, fixtureDirs);
    expect(problems).toContain(
      'fixtures/manifests/compliant.yaml: differs from a fresh render of the chart',
    );
    expect(problems).toContain(
      'fixtures/manifests/manifest.json: differs from a fresh render of the chart',
    );
  });

  it('manifest.json lists every variant with its values file and broken property ids', () => {
    expect(index.variants.map((v) => v.name)).toEqual(manifestVariants.map((v) => v.name));
    expect(index.variants.map((v) => v.name)).toEqual(
      expect.arrayContaining(['compliant', 'one-replica', 'no-pdb', 'no-spread', 'privileged']),
    );
    for (const variant of index.variants) {
      expect(variant.file).toBe(`fixtures/manifests/${variant.name}.yaml`);
      expect(variant.valuesFile).toBe(`fixtures/manifest-values/${variant.name}.yaml`);
      expect(join(REPO_ROOT, variant.file).startsWith(manifestFixturesDir)).toBe(true);
      for (const id of variant.breaks) expect(Object.values(propertyIds)).toContain(id);
    }
  });

  // Each broken variant must really differ from the compliant render in the property it names;
  // a variant that renders the same as compliant would make the policy gate's test meaningless.
  it('compliant holds every property the variants break', async () => {
    const objects = await fixture('compliant');
    const hpaFloors = ofKind(objects, 'HorizontalPodAutoscaler').map((h) => h.spec?.minReplicas);
    expect(hpaFloors).toEqual([3, 3]);
    expect(ofKind(objects, 'PodDisruptionBudget').map((p) => p.spec?.maxUnavailable)).toEqual([
      1, 1,
    ]);
    for (const pod of podSpecs(objects)) expect(pod.topologySpreadConstraints).toHaveLength(2);
    for (const c of containers(objects)) {
      expect(c.securityContext).toMatchObject({ privileged: false, runAsNonRoot: true });
      expect(c.resources).toHaveProperty('limits');
      expect(c).toHaveProperty('readinessProbe');
    }
  });

  it('each variant breaks what it says', async () => {
    const oneReplica = await fixture('one-replica');
    expect(ofKind(oneReplica, 'HorizontalPodAutoscaler').map((h) => h.spec?.minReplicas)).toEqual([
      1, 1,
    ]);
    expect(ofKind(await fixture('no-pdb'), 'PodDisruptionBudget')).toEqual([]);
    const blocking = ofKind(await fixture('pdb-blocks-drain'), 'PodDisruptionBudget');
    expect(blocking.map((p) => p.spec?.maxUnavailable)).toEqual([0, 0]);
    for (const pod of podSpecs(await fixture('no-spread'))) {
      expect(pod.topologySpreadConstraints).toBeUndefined();
    }
    for (const c of containers(await fixture('privileged'))) {
      expect(c.securityContext).toMatchObject({
        privileged: true,
        runAsNonRoot: false,
        allowPrivilegeEscalation: true,
      });
    }
    for (const c of containers(await fixture('no-limits'))) {
      expect(c.resources).not.toHaveProperty('limits');
    }
    for (const c of containers(await fixture('no-probes'))) {
      expect(c).not.toHaveProperty('readinessProbe');
      expect(c).not.toHaveProperty('livenessProbe');
    }
  });
});
