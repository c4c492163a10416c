import { readFile } from 'node:fs/promises';
import { parseExpectations, repoPath } from '@stackproof/core';
import { describe, expect, it } from 'vitest';
import { CHAOS_DEFAULTS, parseChaosExpectations } from './chaos-expectations.ts';

const common = { availabilitySlo: 0.999 };

describe('the chaos section of an expectations file', () => {
  it('fills every default (EKS timings) and derives the error budget from the SLO; the allow-list stays empty', () => {
    const { config, errors } = parseChaosExpectations(undefined, common);
    expect(errors).toEqual([]);
    expect(config).toMatchObject({ ...CHAOS_DEFAULTS, errorBudget: 0.001 });
    expect(config?.allow).toEqual({ accounts: [], contexts: [] });
  });

  it('reads every key, and warns about a typo', () => {
    const { config, warnings } = parseChaosExpectations(
      {
        allow: { accounts: ['123456789012'], contexts: ['ctx'] },
        steady: { service: 'frontend', path: '/api/items', rate: 5, p95Ms: 900 },
        baselineSeconds: 5,
        faultSeconds: 30,
        settleSeconds: 0,
        errorBudget: 0.2,
        detectSeconds: 20,
        recoverSeconds: 25,
        rdsDowntimeSeconds: 8,
        fualtSeconds: 1,
      },
      common,
    );
    expect(config).toMatchObject({
      allow: { accounts: ['123456789012'], contexts: ['ctx'] },
      steady: { rate: 5, p95Ms: 900 },
      faultSeconds: 30,
      settleSeconds: 0,
      errorBudget: 0.2,
    });
    expect(warnings).toEqual(["unknown key 'chaos.fualtSeconds' is ignored (typo?)"]);
  });

  it('names every bad value at once (negative twin)', () => {
    const { config, errors } = parseChaosExpectations(
      {
        allow: { accounts: ['12345'], contexts: 'ctx' },
        steady: { path: 'api', rate: 0 },
        faultSeconds: 0,
        errorBudget: 1,
      },
      common,
    );
    expect(config).toBeUndefined();
    expect(errors).toEqual([
      'chaos.allow.accounts must be a list of 12-digit AWS account ids, got ["12345"]',
      'chaos.allow.contexts must be a list of kube context names, got "ctx"',
      'chaos.steady.path must be a path starting with /, got "api"',
      'chaos.steady.rate must be a positive number, got 0',
      'chaos.errorBudget must be a share of requests in [0, 1), got 1',
      'chaos.faultSeconds must be a positive number of seconds, got 0',
    ]);
  });

  it('warns when recovery is bounded beyond the fault window (it would not be measured)', () => {
    const { warnings } = parseChaosExpectations({ faultSeconds: 30, recoverSeconds: 60 }, common);
    expect(warnings[0]).toMatch(/recoverSeconds \(60\) is longer than chaos.faultSeconds \(30\)/);
  });

  it('the repository’s sandbox and staging files parse, and only the sandbox allows anything', async () => {
    for (const [file, allowed] of [
      ['sandbox.json', true],
      ['staging.json', false],
    ] as const) {
      const raw = JSON.parse(await readFile(repoPath('expectations', file), 'utf8'));
      const parsed = parseExpectations(raw);
      const chaos = parseChaosExpectations(parsed.config?.sections.chaos, parsed.config ?? common);
      expect(chaos.errors, file).toEqual([]);
      expect(chaos.warnings, file).toEqual([]);
      expect((chaos.config?.allow.accounts.length ?? 0) > 0, file).toBe(allowed);
    }
  });
});
