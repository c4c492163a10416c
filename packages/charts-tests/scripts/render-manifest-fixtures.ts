// Regenerates fixtures/manifests/ from charts/stackproof-workloads: run after any chart change
// (`pnpm fixtures:manifests` at the root). The charts suite fails while the fixtures are stale.
import { rm } from 'node:fs/promises';
import { fixtureDirs, generateManifestFixtures, workloadsChartDir } from '../src/index.ts';

// Start clean so a removed variant does not leave its files behind.
await rm(fixtureDirs.manifests, { recursive: true, force: true });
await rm(fixtureDirs.values, { recursive: true, force: true });
const index = await generateManifestFixtures(workloadsChartDir, fixtureDirs);
for (const variant of index.variants) {
  const breaks = variant.breaks.length === 0 ? 'compliant' : variant.breaks.join(', ');
  process.stdout.write(`${variant.file}  (${breaks})\n`);
}
process.stdout.write(`chart sources sha256 ${index.chartSourcesSha256} (${index.helmVersion})\n`);
