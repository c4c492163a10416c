import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, repoPath } from '@stackproof/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURE_LIST_PATH, readFixtureList } from './fixture-list.ts';
import { IacError } from './iac-error.ts';
import { PLAN_FIXTURES_DIR } from './workspace-files.ts';

const TERRAFORM_ROOT = repoPath('terraform');

// Property ids are defined in docs/properties.md (a table row starts with | `id` |).
const documentedIds = new Set(
  [
    ...readFileSync(join(REPO_ROOT, 'docs', 'properties.md'), 'utf8').matchAll(
      /^\| `([a-z0-9]+\.[a-z0-9.-]+)` \|/gm,
    ),
  ].map((m) => m[1]),
);

describe('fixture list (terraform/scripts/plan-fixtures/fixtures.json)', () => {
  const specs = readFixtureList(TERRAFORM_ROOT);

  it('has a compliant plan for every planned workspace and names real files', () => {
    const compliant = new Set(specs.filter((s) => s.variant === null).map((s) => s.workspace));
    for (const s of specs) {
      expect(existsSync(join(TERRAFORM_ROOT, 'aws', s.workspace, 'main.tf')), s.name).toBe(true);
      expect(compliant.has(s.workspace), `${s.name}: no compliant plan of ${s.workspace}`).toBe(
        true,
      );
      for (const f of [s.varFile, s.variant]) {
        if (f !== null)
          expect(existsSync(join(TERRAFORM_ROOT, PLAN_FIXTURES_DIR, f)), `${s.name}: ${f}`).toBe(
            true,
          );
      }
    }
  });

  it('only breaks property ids documented in docs/properties.md', () => {
    expect(documentedIds.size).toBeGreaterThan(30);
    const undocumented = specs.flatMap((s) => s.breaks).filter((id) => !documentedIds.has(id));
    expect(undocumented).toEqual([]);
  });

  describe('rejects a bad list', () => {
    let dir = '';
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    function listWith(fixtures: unknown): string {
      dir = mkdtempSync(join(tmpdir(), 'stackproof-fixlist-'));
      mkdirSync(join(dir, PLAN_FIXTURES_DIR), { recursive: true });
      writeFileSync(join(dir, FIXTURE_LIST_PATH), JSON.stringify({ fixtures }));
      return dir;
    }

    it('a variant that breaks nothing', () => {
      const root = listWith([
        { name: 'rds.x', workspace: 'rds', varFile: null, variant: 'variants/x.tf', breaks: [] },
      ]);
      expect(() => readFixtureList(root)).toThrow(IacError);
    });

    it('a duplicate name', () => {
      const e = { name: 'rds', workspace: 'rds', varFile: null, variant: null, breaks: [] };
      expect(() => readFixtureList(listWith([e, e]))).toThrow(/appears twice/);
    });

    it('a missing file', () => {
      dir = mkdtempSync(join(tmpdir(), 'stackproof-fixlist-'));
      expect(() => readFixtureList(dir)).toThrow(/cannot read/);
    });
  });
});
