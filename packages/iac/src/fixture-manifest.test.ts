import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkFixtureManifest,
  type FixtureManifest,
  readFixtureManifest,
} from './fixture-manifest.ts';
import { IacError } from './iac-error.ts';
import { hashTerraformSources } from './source-hash.ts';

const TERRAFORM_ROOT = repoPath('terraform');
const PLAN_FIXTURES_OUT = repoPath('fixtures', 'plans');

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const fileHashIn = (dir: string) => (file: string) =>
  existsSync(join(dir, file)) ? sha(readFileSync(join(dir, file))) : undefined;

const manifestPath = join(PLAN_FIXTURES_OUT, 'manifest.json');
const haveFixtures = existsSync(manifestPath);
if (!haveFixtures) {
  console.warn(
    `[iac] no ${manifestPath}: plan fixtures have not been generated (needs the IaC tier, see docs/terraform.md); the freshness check of committed fixtures is skipped`,
  );
}

describe('plan fixture manifest', () => {
  it.skipIf(!haveFixtures)(
    'committed fixtures were generated from the current terraform sources',
    () => {
      const check = checkFixtureManifest(
        readFixtureManifest(manifestPath),
        hashTerraformSources(TERRAFORM_ROOT).sha256,
        fileHashIn(PLAN_FIXTURES_OUT),
      );
      expect(check.problems).toEqual([]);
    },
  );

  describe('detects stale fixtures', () => {
    let dir = '';
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    function setup(): { tf: string; out: string; manifest: FixtureManifest } {
      dir = mkdtempSync(join(tmpdir(), 'stackproof-manifest-'));
      const tf = join(dir, 'terraform');
      const out = join(dir, 'plans');
      cpSync(TERRAFORM_ROOT, tf, { recursive: true, filter: (src) => !src.includes('.terraform') });
      mkdirSync(out);
      const plan = JSON.stringify({ format_version: '1.2', resource_changes: [] });
      writeFileSync(join(out, 'network.json'), plan);
      const manifest: FixtureManifest = {
        tofuVersion: '1.12.6',
        awsProviderVersion: '6.59.0',
        fixtures: [
          {
            file: 'network.json',
            workspace: 'network',
            variant: null,
            breaks: [],
            sourceHash: hashTerraformSources(tf).sha256,
            fileHash: sha(plan),
          },
        ],
      };
      return { tf, out, manifest };
    }

    it('passes when sources and files match', () => {
      const { tf, out, manifest } = setup();
      expect(
        checkFixtureManifest(manifest, hashTerraformSources(tf).sha256, fileHashIn(out)).ok,
      ).toBe(true);
    });

    it('fails when terraform changed after the fixtures were planned', () => {
      const { tf, out, manifest } = setup();
      appendFileSync(join(tf, 'modules', 'vpc', 'main.tf'), '\n# drift\n');
      const check = checkFixtureManifest(
        manifest,
        hashTerraformSources(tf).sha256,
        fileHashIn(out),
      );
      expect(check.ok).toBe(false);
      expect(check.problems[0]).toMatch(
        /network\.json: planned from terraform sources .*pnpm fixtures:plans/,
      );
    });

    it('fails when a fixture file was edited or removed', () => {
      const { tf, out, manifest } = setup();
      writeFileSync(join(out, 'network.json'), '{"format_version":"1.2","resource_changes":[{}]}');
      expect(
        checkFixtureManifest(manifest, hashTerraformSources(tf).sha256, fileHashIn(out))
          .problems[0],
      ).toMatch(/edited by hand/);
      rmSync(join(out, 'network.json'));
      expect(
        checkFixtureManifest(manifest, hashTerraformSources(tf).sha256, fileHashIn(out))
          .problems[0],
      ).toMatch(/missing/);
    });

    it('refuses a file that is not a manifest', () => {
      const { out } = setup();
      writeFileSync(join(out, 'manifest.json'), '{"fixtures": 3}');
      expect(() => readFixtureManifest(join(out, 'manifest.json'))).toThrow(IacError);
      expect(() => readFixtureManifest(join(out, 'absent.json'))).toThrow(/MANIFEST|cannot read/);
    });
  });
});
