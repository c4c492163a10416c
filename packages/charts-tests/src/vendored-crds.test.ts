import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdFixturesDir } from './chart-layout.ts';

// The CRD is copied verbatim from github.com/external-secrets/external-secrets@v0.20.4
// (fixtures/crds/README.md); an edit would make the dry run validate against a fake schema.
const vendored = {
  'external-secrets.io_externalsecrets.yaml':
    '7fb31305a2bb3f45460a8481c038f48c33fc39e19bbe4ca546d18ded12b4dbde',
};

describe('fixtures/crds', () => {
  it.each(Object.entries(vendored))('%s is the upstream file, unmodified', async (file, sha256) => {
    const text = await readFile(join(crdFixturesDir, file));
    expect(createHash('sha256').update(text).digest('hex')).toBe(sha256);
    const readme = await readFile(join(crdFixturesDir, 'README.md'), 'utf8');
    expect(readme).toContain(sha256);
  });
});
