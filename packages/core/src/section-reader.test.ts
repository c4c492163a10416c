import { describe, expect, it } from 'vitest';
import { isPlainObject, sectionReader } from './section-reader.ts';

describe('sectionReader', () => {
  it('takes good numbers and the fallback for absent ones, with no problem reported', () => {
    const r = sectionReader();
    expect(r.number('load.rate', 60, 1)).toBe(60);
    expect(r.number('load.rate', undefined, 7)).toBe(7);
    expect(r.number('chaos.baselineSeconds', 0, 5, { allowZero: true })).toBe(0);
    r.known('load.', { rate: 1 }, ['rate']);
    expect([...r.errors, ...r.warnings]).toEqual([]);
  });

  it('reports every bad value and unknown key at once (negative twin)', () => {
    const r = sectionReader();
    expect(r.number('load.rate', 0, 1)).toBe(1);
    expect(r.number('chaos.faultSeconds', '9', 480, { unit: 'seconds' })).toBe(480);
    expect(r.number('load.errorBudget', -1, 0.01, { allowZero: true })).toBe(0.01);
    r.known('load.', { rat: 1 }, ['rate']);
    expect(r.errors).toEqual([
      'load.rate must be a positive number, got 0',
      'chaos.faultSeconds must be a positive number of seconds, got "9"',
      'load.errorBudget must be a non-negative number, got -1',
    ]);
    expect(r.warnings).toEqual(["unknown key 'load.rat' is ignored (typo?)"]);
  });

  it('isPlainObject: objects only, not null or arrays', () => {
    expect([{}, null, [], 'x'].map(isPlainObject)).toEqual([true, false, false, false]);
  });
});
