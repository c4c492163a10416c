import { describe, expect, it } from 'vitest';
import { outputsFileName, terraformOutputsProblems } from './index.ts';

describe('the outputs contract', () => {
  it('names each workspace file as CI does: its path with / replaced by -', () => {
    expect(outputsFileName('eks/prod1/infra')).toBe('eks-prod1-infra.json');
    expect(outputsFileName('services/backend')).toBe('services-backend.json');
    expect(outputsFileName('_tfstate')).toBe('_tfstate.json');
  });

  it('refuses a path that is not a workspace under terraform/aws', () => {
    expect(() => outputsFileName('../network')).toThrow(/not a workspace path/);
    expect(() => outputsFileName('')).toThrow(/not a workspace path/);
  });

  it('accepts exactly what terraform output -json prints', () => {
    expect(
      terraformOutputsProblems({
        vpc_id: { sensitive: false, type: 'string', value: 'vpc-1' },
        ids: { sensitive: false, type: ['list', 'string'], value: ['a'] },
        password: { sensitive: true, type: 'string', value: 'x' },
      }),
    ).toEqual([]);
    expect(terraformOutputsProblems({})).toEqual([]);
  });

  it('names what is missing in any other shape (bare values, a list)', () => {
    expect(terraformOutputsProblems({ vpc_id: 'vpc-1' })).toEqual([
      "output 'vpc_id' is not an object",
    ]);
    expect(terraformOutputsProblems({ vpc_id: { value: 'vpc-1' } })).toEqual([
      "output 'vpc_id' has no 'type', 'sensitive'",
    ]);
    expect(terraformOutputsProblems([])).toHaveLength(1);
  });
});
