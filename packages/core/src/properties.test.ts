import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  getProperty,
  hasProof,
  isPropertyId,
  PROPERTIES,
  repoPath,
  UnknownPropertyError,
} from './index.ts';

describe('property catalogue', () => {
  it('knows every id once, each with a title, a severity and its family prefix', () => {
    const ids = PROPERTIES.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of PROPERTIES) {
      expect(p.id.startsWith(`${p.family}.`)).toBe(true);
      expect(p.title.length).toBeGreaterThan(5);
      expect(['low', 'medium', 'high', 'critical']).toContain(p.severity);
    }
    expect(isPropertyId('rds.multi-az')).toBe(true);
    expect(getProperty('rds.multi-az').plan.rule?.file).toMatch(/rds\.rego$/);
    expect(hasProof(getProperty('rds.multi-az'), 'plan')).toBe(true);
  });

  it('every proof that does not exist says why', () => {
    for (const p of PROPERTIES) {
      if (!hasProof(p, 'plan')) expect(p.plan.why, p.id).toBeTruthy();
      if (!hasProof(p, 'live')) expect(p.live.why, p.id).toBeTruthy();
      if (p.chaos !== undefined && !hasProof(p, 'chaos')) expect(p.chaos.why, p.id).toBeTruthy();
    }
  });

  it('an unknown id is a bad-input error that lists the ids of its family', () => {
    const error = (() => {
      try {
        getProperty('rds.multiaz');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnknownPropertyError);
    expect((error as UnknownPropertyError).message).toMatch(/rds\.multi-az/);
    expect(isPropertyId('rds.multiaz')).toBe(false);
  });

  const generator = repoPath('packages', 'core', 'scripts', 'generate-catalogue.ts');
  const check = (...args: string[]) =>
    spawnSync(process.execPath, [generator, '--check', ...args], { encoding: 'utf8' });

  it('src/properties.generated.ts and docs/properties.md are current with their sources', () => {
    const run = check();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('the staleness check fails when the source changes (negative twin)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stackproof-catalogue-'));
    try {
      const source = JSON.parse(
        await readFile(repoPath('packages', 'core', 'catalogue', 'properties.json'), 'utf8'),
      ) as { properties: { claim: string }[] };
      (source.properties[0] as { claim: string }).claim = 'changed by the test';
      const changed = join(dir, 'properties.json');
      await writeFile(changed, JSON.stringify(source));
      const run = check('--source', changed);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/stale: .*properties/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
