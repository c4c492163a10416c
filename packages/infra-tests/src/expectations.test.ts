import { describe, expect, it } from 'vitest';
import { parseExpectations } from './index.ts';

describe('parseExpectations', () => {
  it('accepts a complete config and fills defaults', () => {
    const result = parseExpectations({
      region: 'me-central-1',
      namespaces: ['backend', 'frontend'],
    });
    expect(result.errors).toEqual([]);
    expect(result.config).toEqual({
      region: 'me-central-1',
      azCount: 3,
      namespaces: ['backend', 'frontend'],
      availabilitySlo: 0.99,
    });
    expect(result.warnings).toEqual(['azCount not set; using 3']);
  });

  it('reports every problem at once instead of stopping at the first', () => {
    const result = parseExpectations({
      region: 'mars-1',
      azCount: 0,
      namespaces: ['Bad_Name'],
      availabilitySlo: 2,
      azcount: 3,
    });
    expect(result.config).toBeUndefined();
    expect(result.errors).toHaveLength(4);
    expect(result.warnings).toContain("unknown key 'azcount' is ignored (typo?)");
  });

  it('warns that a single AZ cannot prove high availability', () => {
    const result = parseExpectations({ region: 'eu-west-1', azCount: 1, namespaces: ['a'] });
    expect(result.config?.azCount).toBe(1);
    expect(result.warnings).toContain('azCount below 2 cannot prove high availability');
  });
});
