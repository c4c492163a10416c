import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workloadsChartDir } from './chart-layout.ts';
import { topLevelValueDocs } from './values-docs.ts';

// STYLE.md: flat camelCase values, each documented by a comment that starts with its name, and a
// schema that knows every one of them (additionalProperties false catches typos only then).
describe('charts/stackproof-workloads values', async () => {
  const valuesText = await readFile(join(workloadsChartDir, 'values.yaml'), 'utf8');
  const schema = JSON.parse(
    await readFile(join(workloadsChartDir, 'values.schema.json'), 'utf8'),
  ) as {
    additionalProperties: boolean;
    properties: Record<string, unknown>;
  };
  const docs = topLevelValueDocs(valuesText);

  it('are camelCase and each documented by a comment starting with its name', () => {
    expect(docs.length).toBeGreaterThan(20);
    for (const { key, comment } of docs) {
      expect(key).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      expect(comment, `comment above ${key}`).toMatch(new RegExp(`^${key} `));
    }
  });

  it('match the schema key for key, and the schema refuses unknown keys', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(docs.map((d) => d.key).sort()).toEqual(Object.keys(schema.properties).sort());
  });

  it('negative twin: an undocumented value is caught', () => {
    const [first] = topLevelValueDocs(
      '# nameOverride replaces the name.\nnameOverride: ""\nsneaky: 1\n',
    ).slice(1);
    expect(first).toEqual({ key: 'sneaky', comment: '' });
  });
});
