import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { workloadsChartDir } from './chart-layout.ts';
import { lintChart, renderChart } from './helm.ts';
import { HelmError } from './helm-error.ts';
import { parseManifests } from './kubernetes-objects.ts';

const ciDir = join(workloadsChartDir, 'ci');
const ciScenarios = (await readdir(ciDir)).filter((file) => file.endsWith('-values.yaml')).sort();
const testFixtures = join(import.meta.dirname, '..', 'test-fixtures');

type Obj = KubernetesObject & { spec?: Record<string, unknown> };

function ofKind(objects: readonly Obj[], kind: string): Obj[] {
  return objects.filter((object) => object.kind === kind);
}

async function renderScenario(file: string): Promise<Obj[]> {
  return parseManifests(
    await renderChart(workloadsChartDir, {
      releaseName: 'ci',
      namespace: 'ci',
      valuesFiles: [join(ciDir, file)],
    }),
  );
}

describe('charts/stackproof-workloads', () => {
  it('has ci scenarios to lint and render', () => {
    expect(ciScenarios).toEqual(
      expect.arrayContaining([
        'default-values.yaml',
        'minimal-values.yaml',
        'production-values.yaml',
      ]),
    );
  });

  it.each(ciScenarios)('helm lint --strict passes with ci/%s', async (file) => {
    const result = await lintChart(workloadsChartDir, { valuesFiles: [join(ciDir, file)] });
    expect(result.stdout + result.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.exitCode).toBe(0);
  });

  it.each(ciScenarios)('ci/%s renders hardened, spread, probed workloads', async (file) => {
    const objects = await renderScenario(file);
    const deployments = ofKind(objects, 'Deployment');
    expect(deployments.map((d) => d.metadata?.name).sort()).toEqual([
      'ci-stackproof-workloads-backend',
      'ci-stackproof-workloads-frontend',
    ]);
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
    for (const deployment of deployments) {
      const spec = deployment.spec as {
        replicas?: number;
        template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
      };
      const hpa = hpas.find(
        (h) =>
          (h.spec?.scaleTargetRef as { name?: string } | undefined)?.name ===
          deployment.metadata?.name,
      );
      const floor = hpa === undefined ? spec.replicas : (hpa.spec?.minReplicas as number);
      expect(floor, `${deployment.metadata?.name} replica floor`).toBeGreaterThanOrEqual(2);
      if (hpa !== undefined) {
        expect(spec.replicas, 'replicas left to the HPA').toBeUndefined();
        expect(hpa.spec?.behavior).toMatchObject({ scaleUp: {}, scaleDown: {} });
      }
      const pod = spec.template.spec;
      const keys = (pod.topologySpreadConstraints as { topologyKey: string }[]).map(
        (c) => c.topologyKey,
      );
      expect(keys).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const container of spec.template.spec.containers) {
        expect(container.image).toMatch(/:[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
        expect(container.image).not.toMatch(/:latest$/);
        expect(container.readinessProbe).toBeDefined();
        expect(container.livenessProbe).toBeDefined();
        expect(container.resources).toMatchObject({
          requests: { cpu: expect.anything() },
          limits: { memory: expect.anything() },
        });
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
      }
    }
    for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
      expect(pdb.spec?.maxUnavailable).toBe(1);
    }
    expect(ofKind(objects, 'PodDisruptionBudget')).toHaveLength(2);
    // Helm sets the namespace at install time; a template that hard-codes one breaks that.
    for (const object of objects) expect(object.metadata?.namespace).toBeUndefined();
  });

  it('renders every add-on resource with the production values', async () => {
    const objects = await renderScenario('production-values.yaml');
    const kinds = objects.map((object) => object.kind).sort();
    expect(new Set(kinds)).toEqual(
      new Set([
        'Deployment',
        'ExternalSecret',
        'HorizontalPodAutoscaler',
        'Ingress',
        'Job',
        'NetworkPolicy',
        'Pod',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ]),
    );
    expect(ofKind(objects, 'NetworkPolicy')).toHaveLength(5);
    const [ingress] = ofKind(objects, 'Ingress');
    expect(ingress?.metadata?.annotations?.['cert-manager.io/cluster-issuer']).toBe(
      'letsencrypt-prod',
    );
    expect(ingress?.spec).toMatchObject({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['app.stackproof.example'] }],
    });
    const [externalSecret] = ofKind(objects, 'ExternalSecret');
    expect(externalSecret?.apiVersion).toBe('external-secrets.io/v1');
    const roleArns = ofKind(objects, 'ServiceAccount').map(
      (sa) => sa.metadata?.annotations?.['eks.amazonaws.com/role-arn'],
    );
    expect(roleArns).toContain('arn:aws:iam::123456789012:role/stackproof-prod1-backend');
    const [migrations] = ofKind(objects, 'Job');
    // Only the first install migrates as a hook; every upgrade runs the Job as its own step first
    // (stackproof release deploy), never inside the upgrade.
    expect(migrations?.metadata?.annotations?.['helm.sh/hook']).toBe('post-install');
    const backend = ofKind(objects, 'Deployment').find(
      (d) => d.metadata?.name === 'ci-stackproof-workloads-backend',
    );
    expect(JSON.stringify(backend?.spec)).toContain(
      '"name":"PGSSLROOTCERT","value":"/etc/stackproof/database-ca/ca.pem"',
    );
    const databasePolicy = ofKind(objects, 'NetworkPolicy').find(
      (p) => p.metadata?.name === 'ci-stackproof-workloads-database-egress',
    );
    expect(databasePolicy?.spec?.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.20.0/22' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
  });

  describe('negative twins: the schema refuses bad values', () => {
    it('lint fails on an unknown key, naming it', async () => {
      const result = await lintChart(workloadsChartDir, {
        valuesFiles: [join(testFixtures, 'unknown-key-values.yaml')],
      });
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout + result.stderr).toContain(
        "additional properties 'backendReplicaCount' not allowed",
      );
    });

    it('template fails on a latest image tag', async () => {
      const render = renderChart(workloadsChartDir, {
        releaseName: 'ci',
        namespace: 'ci',
        valuesFiles: [join(testFixtures, 'latest-tag-values.yaml')],
      });
      await expect(render).rejects.toBeInstanceOf(HelmError);
      await expect(render).rejects.toThrow(/backendImageTag/);
    });

    it('lint fails on verify-full TLS without a CA bundle', async () => {
      const result = await lintChart(workloadsChartDir, {
        valuesFiles: [join(testFixtures, 'verify-full-without-ca-values.yaml')],
      });
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout + result.stderr).toContain("at '/databaseCaConfigMapName': minLength");
    });

    it('lint fails on a wrong type', async () => {
      const result = await lintChart(workloadsChartDir, {
        valuesFiles: [join(testFixtures, 'wrong-type-values.yaml')],
      });
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/frontendReplicas.*(integer|type)/s);
    });
  });
});
