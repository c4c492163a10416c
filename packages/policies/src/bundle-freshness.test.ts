import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  computeRegoSourcesHash,
  DEFAULT_REGO_DIR,
  DEFAULT_SOURCES_HASH_FILE,
  readRecordedSourcesHash,
} from './rego-sources-hash.ts';

async function firstPolicyFile(dir: string): Promise<string> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
      return join(entry.parentPath, entry.name);
    }
  }
  throw new Error(`no .rego policy under ${dir}`);
}

describe('compiled bundle freshness', () => {
  it('bundle/sources.sha256 matches the Rego sources (rebuild with scripts/build-wasm.sh if not)', async () => {
    const recorded = await readRecordedSourcesHash(DEFAULT_SOURCES_HASH_FILE);
    expect(recorded).toMatch(/^[0-9a-f]{64}$/);
    expect(
      await computeRegoSourcesHash(DEFAULT_REGO_DIR),
      'the committed policy bundle is stale: run packages/policies/scripts/build-wasm.sh',
    ).toBe(recorded);
  });

  it('detects a changed policy and ignores test files (negative twin)', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'stackproof-rego-'));
    try {
      await cp(DEFAULT_REGO_DIR, copy, { recursive: true });
      const original = await computeRegoSourcesHash(copy);
      expect(original).toBe(await computeRegoSourcesHash(DEFAULT_REGO_DIR));
      await writeFile(join(copy, 'extra_test.rego'), 'package extra_test\n');
      expect(await computeRegoSourcesHash(copy)).toBe(original);
      const policy = await firstPolicyFile(copy);
      await writeFile(policy, '\n# edited\n', { flag: 'a' });
      expect(await computeRegoSourcesHash(copy)).not.toBe(original);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
