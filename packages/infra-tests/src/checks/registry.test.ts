import { getProperty, hasProof, PROPERTIES } from '@stackproof/core';
import { describe, expect, it } from 'vitest';
import { defineCheck } from './check.ts';
import { LIVE_CHECKS } from './registry.ts';

describe('the live checks and the catalogue', () => {
  it('check exactly the properties the catalogue marks as checked live, once each', () => {
    const implemented = LIVE_CHECKS.map((c) => c.property);
    expect(new Set(implemented).size).toBe(implemented.length);
    const marked = PROPERTIES.filter((p) => hasProof(p, 'live')).map((p) => p.id);
    expect([...implemented].sort()).toEqual([...marked].sort());
  });

  it('give a reason for every property not checked live', () => {
    for (const property of PROPERTIES.filter((p) => !hasProof(p, 'live'))) {
      expect(property.live.why, property.id).toMatch(/\w/);
    }
  });

  it('cannot define a check for an id that is not in the catalogue (negative twin)', () => {
    expect(() => defineCheck('rds.multi-azz', 'aws', async () => {})).toThrow(
      /not a property id of the catalogue/,
    );
    expect(getProperty('rds.multi-az').live.checked).toBe(true);
  });
});
