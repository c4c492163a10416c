import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveTool } from './resolve-tool.ts';

const run = promisify(execFile);
const chart = (name: string) =>
  fileURLToPath(new URL(`../test-fixtures/chart/${name}`, import.meta.url));

interface RenderedDeployment {
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
}

describe('helm (toolchain smoke)', () => {
  let helm = '';
  beforeAll(() => {
    // fails with "helm not found ... run make tools" when the toolchain is missing
    helm = resolveTool('helm').path;
  });

  it('renders a chart with a value applied, and the output is YAML', async () => {
    const { stdout } = await run(helm, [
      'template',
      'demo',
      chart('smoke'),
      '--set',
      'replicaCount=3',
    ]);
    const docs = parseAllDocuments(stdout);
    for (const doc of docs) expect(doc.errors).toEqual([]);
    const objects = docs.map((d) => d.toJS() as RenderedDeployment).filter((o) => o !== null);

    expect(objects).toHaveLength(1);
    const [deployment] = objects;
    expect(deployment?.kind).toBe('Deployment');
    expect(deployment?.metadata.name).toBe('demo-smoke');
    expect(deployment?.metadata.labels['app.kubernetes.io/instance']).toBe('demo');
    expect(deployment?.spec.replicas).toBe(3);
    expect(deployment?.spec.template.spec.containers[0]?.image).toBe(
      'registry.invalid/smoke:1.0.0',
    );
  });

  it('fails with the template error when a template is broken', async () => {
    const rendering = run(helm, ['template', 'demo', chart('broken')]);
    await expect(rendering).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no template "smoke.missing-labels"'),
    });
  });
});
