import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyBundle } from './policy-bundle.ts';
import { runPolicyCheck } from './policy-check.ts';

/**
 * The reference fixtures of the repository (fixtures/plans from terraform/, fixtures/manifests
 * from the charts): the compliant variant has no failure, and every broken variant fails exactly
 * the properties its manifest.json says it breaks — no more, no less.
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface Variant {
  readonly name: string;
  readonly file: string;
  readonly breaks: readonly string[];
}

function readVariants(manifest: string): Variant[] {
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { variants?: Variant[] };
  if (!Array.isArray(parsed.variants) || parsed.variants.length === 0) {
    throw new Error(`${manifest} lists no variants`);
  }
  return parsed.variants;
}

for (const set of ['plans', 'manifests']) {
  const manifest = join(REPO, 'fixtures', set, 'manifest.json');
  describe(`reference fixtures: fixtures/${set}`, () => {
    if (!existsSync(manifest) && set === 'plans') {
      // Plan fixtures need the hashicorp/aws provider, which the module proxy here does not serve
      // (docs/terraform.md); skipped with that reason rather than passed, until they are generated.
      it.skip('fixtures/plans/manifest.json is missing: the hashicorp/aws provider cannot be built here (see docs/terraform.md); generate with pnpm fixtures:plans', () => {});
      return;
    }
    if (!existsSync(manifest)) {
      // Produced by the reference workloads; missing fixtures fail in CI.
      it.runIf(process.env.CI === 'true')(`fixtures/${set}/manifest.json exists`, () => {
        expect.fail(`fixtures/${set}/manifest.json is missing: regenerate the reference fixtures`);
      });
      it.skip(`fixtures/${set}/manifest.json is missing (skipped outside CI)`, () => {});
      return;
    }
    let bundle: PolicyBundle;
    beforeAll(async () => {
      bundle = await PolicyBundle.load();
    });
    const variants = readVariants(manifest);

    it('has a compliant variant and at least one broken one', () => {
      expect(variants.some((v) => v.breaks.length === 0)).toBe(true);
      expect(variants.some((v) => v.breaks.length > 0)).toBe(true);
    });

    it('names only properties the bundle has', async () => {
      const { rules } = await bundle.evaluate({
        kind: 'terraform-plan',
        params: {},
        plan: { format_version: '1.2', resource_changes: [] },
      });
      const ids = new Set(rules.map((r) => r.id));
      const unknownIds = variants.flatMap((v) =>
        v.breaks.filter((id) => !ids.has(id)).map((id) => `${v.name}: ${id}`),
      );
      expect(unknownIds, 'manifest.json names properties no rule checks').toEqual([]);
    });

    for (const variant of variants) {
      it(`${variant.name} fails exactly ${variant.breaks.length === 0 ? 'nothing' : variant.breaks.join(', ')}`, async () => {
        const report = await runPolicyCheck({
          version: 'test',
          target: join(REPO, variant.file),
          bundle,
          cwd: REPO,
        });
        expect(report.findings.length, 'no rule applied to the fixture').toBeGreaterThan(0);
        const failed = [
          ...new Set(report.findings.filter((f) => f.status === 'fail').map((f) => f.rule)),
        ].sort();
        const detail = report.findings
          .filter((f) => f.status === 'fail')
          .map((f) => `${f.rule} ${f.address}: ${f.message}`)
          .join('\n');
        expect(failed, detail).toEqual([...variant.breaks].sort());
      });
    }
  });
}
