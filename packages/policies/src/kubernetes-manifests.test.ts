import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../test-fixtures/paths.ts';
import { PolicyInputError } from './errors.ts';
import { readManifestFile } from './kubernetes-manifests.ts';
import { loadPolicyInputs } from './policy-inputs.ts';

describe('Kubernetes manifests', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stackproof-manifests-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every document of a multi-document file with the line it starts on', async () => {
    const { objects } = await readManifestFile(fixture('manifests/app.yaml'));
    expect(objects.map((o) => [(o.object.metadata as { name: string }).name, o.line])).toEqual([
      ['web', 3],
      ['worker', 13],
    ]);
    expect(objects.every((o) => o.file === fixture('manifests/app.yaml'))).toBe(true);
  });

  it('refuses invalid YAML, naming the line', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  data: [unclosed\n',
    );
    await expect(readManifestFile(file)).rejects.toThrow(/bad\.yaml: line \d+/);
    await expect(readManifestFile(file)).rejects.toMatchObject({ code: 'INVALID_YAML' });
  });

  it('refuses a document that is not a Kubernetes object', async () => {
    const file = join(dir, 'list.yaml');
    await writeFile(
      file,
      'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n- just\n- a list\n',
    );
    await expect(readManifestFile(file)).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
    await expect(readManifestFile(file)).rejects.toThrow(/line 5/);
  });

  it('refuses an empty manifest file', async () => {
    const file = join(dir, 'empty.yaml');
    await writeFile(file, '');
    await expect(readManifestFile(file)).rejects.toBeInstanceOf(PolicyInputError);
  });

  it('reads a directory: each plan on its own, all manifests together, other JSON skipped', async () => {
    await writeFile(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    await writeFile(join(dir, 'b.yml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n');
    await writeFile(join(dir, 'manifest.json'), '{"variants": []}');
    await writeFile(join(dir, 'values.yaml'), 'replicas: 3\nimage: {tag: "1.0"}\n');
    await writeFile(
      join(dir, 'plan.json'),
      '{"format_version":"1.2","planned_values":{},"resource_changes":[]}',
    );
    const { inputs, skipped } = await loadPolicyInputs(dir);
    expect(inputs.map((i) => i.kind)).toEqual(['terraform-plan', 'kubernetes']);
    const kubernetes = inputs[1];
    expect(kubernetes?.kind === 'kubernetes' && kubernetes.objects).toHaveLength(2);
    expect(skipped).toEqual([
      { file: join(dir, 'manifest.json'), reason: 'not Terraform plan JSON' },
      {
        file: join(dir, 'values.yaml'),
        reason: 'not Kubernetes manifests (a document has no apiVersion and kind)',
      },
    ]);
  });

  it('refuses a directory with a broken plan, and one with no inputs at all', async () => {
    await writeFile(join(dir, 'notes.txt'), 'hello');
    await expect(loadPolicyInputs(dir)).rejects.toMatchObject({ code: 'NO_INPUTS' });
    await writeFile(join(dir, 'plan.json'), '{"format_version":"1.2","resource_changes":[');
    await expect(loadPolicyInputs(dir)).rejects.toMatchObject({ code: 'TRUNCATED_JSON' });
  });
});
