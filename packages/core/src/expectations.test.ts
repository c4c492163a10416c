import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpectationsError, parseExpectations, readExpectationsFile } from './index.ts';

describe('parseExpectations', () => {
  it('accepts a complete config, fills defaults and keeps each proof section for its owner', () => {
    const result = parseExpectations({
      region: 'me-central-1',
      namespaces: ['backend', 'frontend'],
      load: { scaleOut: { minReplicas: 5 } },
    });
    expect(result.errors).toEqual([]);
    expect(result.config).toEqual({
      region: 'me-central-1',
      azCount: 3,
      namespaces: ['backend', 'frontend'],
      availabilitySlo: 0.99,
      sections: { load: { scaleOut: { minReplicas: 5 } } },
    });
    expect(result.warnings).toEqual(['azCount not set; using 3']);
  });

  it('reports every problem at once instead of stopping at the first', () => {
    const result = parseExpectations({
      region: 'mars-1',
      azCount: 0,
      namespaces: ['Bad_Name'],
      availabilitySlo: 2,
      chaos: [],
      azcount: 3,
    });
    expect(result.config).toBeUndefined();
    expect(result.errors).toHaveLength(5);
    expect(result.warnings).toContain("unknown key 'azcount' is ignored (typo?)");
  });

  it('warns that a single AZ cannot prove high availability', () => {
    const result = parseExpectations({ region: 'eu-west-1', azCount: 1, namespaces: ['a'] });
    expect(result.config?.azCount).toBe(1);
    expect(result.warnings).toContain('azCount below 2 cannot prove high availability');
  });
});

describe('readExpectationsFile', () => {
  it('reads a valid file and refuses a missing or invalid one with a bad-input error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stackproof-exp-'));
    try {
      const good = join(dir, 'good.json');
      await writeFile(
        good,
        JSON.stringify({ region: 'me-central-1', azCount: 3, namespaces: ['x'] }),
      );
      expect((await readExpectationsFile(good)).config.azCount).toBe(3);
      const bad = join(dir, 'bad.json');
      await writeFile(bad, '{"region": 1');
      const notJson = await readExpectationsFile(bad).catch((e: unknown) => e);
      expect(notJson).toBeInstanceOf(ExpectationsError);
      expect((notJson as ExpectationsError).kind).toBe('bad-input');
      await expect(readExpectationsFile(join(dir, 'none.json'))).rejects.toThrow(/no such file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
