import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AWS_TEST_CREDENTIALS, startMotoServer } from '@stackproof/toolchain';
import { type FixtureSpec, readFixtureList } from './fixture-list.ts';
import type { FixtureManifest, ManifestEntry } from './fixture-manifest.ts';
import { IacError } from './iac-error.ts';
import { detectIacTier } from './iac-tier.ts';
import { hashTerraformSources } from './source-hash.ts';
import { runTofuOrThrow } from './tofu.ts';
import { lockedAwsVersion, motoProviderOverride, PLAN_FIXTURES_DIR } from './workspace-files.ts';

export interface GenerateOptions {
  /** The repository's terraform/ folder. */
  readonly terraformRoot: string;
  /** Where the fixtures and manifest.json go (fixtures/plans/). */
  readonly outDir: string;
  /** Only these fixture names (default: all). */
  readonly only?: readonly string[];
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Plans every fixture of terraform/scripts/plan-fixtures/fixtures.json against a moto server on
 * loopback and writes `tofu show -json` of each plan plus manifest.json to outDir. Works in a
 * scratch copy of terraform/ (the override files never touch the real roots) and replaces outDir's
 * contents only when every plan succeeded.
 */
export async function generatePlanFixtures(options: GenerateOptions): Promise<FixtureManifest> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const terraformRoot = resolve(options.terraformRoot);
  const tier = detectIacTier(options.env);
  if (!tier.ready || tier.tofu === undefined) {
    throw new IacError('IAC_TIER_MISSING', `cannot plan: ${tier.reason}`);
  }
  const tofu = tier.tofu.path;
  const specs = readFixtureList(terraformRoot).filter(
    (s) => options.only === undefined || options.only.length === 0 || options.only.includes(s.name),
  );
  if (specs.length === 0)
    throw new IacError('FIXTURE_LIST_INVALID', `no fixture matches ${options.only?.join(', ')}`);
  const sourceHash = hashTerraformSources(terraformRoot).sha256;
  const tofuVersion = (
    JSON.parse(
      (await runTofuOrThrow(tofu, ['version', '-json'], { cwd: terraformRoot })).stdout,
    ) as {
      terraform_version: string;
    }
  ).terraform_version;

  const scratch = mkdtempSync(join(tmpdir(), 'stackproof-plans-'));
  const staging = join(scratch, 'out');
  mkdirSync(staging);
  const pluginCache = join(scratch, 'plugin-cache');
  mkdirSync(pluginCache);
  const entries: ManifestEntry[] = [];
  let awsProviderVersion = 'unknown';
  await using moto = await startMotoServer();
  log(`[plan-fixtures] moto server on ${moto.endpoint}; ${specs.length} fixture(s)`);
  try {
    for (const [i, spec] of specs.entries()) {
      const t0 = Date.now();
      const copy = join(scratch, `tf-${i}`);
      cpSync(join(terraformRoot, 'aws'), join(copy, 'aws'), {
        recursive: true,
        filter: (src) => !src.includes('.terraform'),
      });
      cpSync(join(terraformRoot, 'modules'), join(copy, 'modules'), { recursive: true });
      const ws = join(copy, 'aws', spec.workspace);
      if (!existsSync(ws))
        throw new IacError(
          'FIXTURE_LIST_INVALID',
          `${spec.name}: no workspace terraform/aws/${spec.workspace}`,
        );
      writeFileSync(
        join(ws, 'moto_override.tf'),
        motoProviderOverride(terraformRoot, moto.endpoint),
      );
      if (spec.variant !== null) {
        cpSync(
          join(terraformRoot, PLAN_FIXTURES_DIR, spec.variant),
          join(ws, 'variant_override.tf'),
        );
      }
      const env = {
        ...options.env,
        TF_PLUGIN_CACHE_DIR: pluginCache,
        AWS_ACCESS_KEY_ID: AWS_TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: AWS_TEST_CREDENTIALS.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      await runTofuOrThrow(tofu, ['init', '-input=false', '-no-color'], { cwd: ws, env });
      awsProviderVersion = lockedAwsVersion(ws) ?? 'unknown';
      const planArgs = ['plan', '-input=false', '-no-color', '-lock=false', '-out=plan.bin'];
      if (spec.varFile !== null)
        planArgs.push(`-var-file=${join(terraformRoot, PLAN_FIXTURES_DIR, spec.varFile)}`);
      await runTofuOrThrow(tofu, planArgs, { cwd: ws, env });
      const json = (await runTofuOrThrow(tofu, ['show', '-json', 'plan.bin'], { cwd: ws, env }))
        .stdout;
      const file = `${spec.name}.json`;
      writeFileSync(join(staging, file), json);
      entries.push(manifestEntry(spec, file, sourceHash, sha256(json)));
      await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
      rmSync(copy, { recursive: true, force: true });
      log(
        `[plan-fixtures] ${i + 1}/${specs.length} ${file} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
    }
    const manifest: FixtureManifest = { tofuVersion, awsProviderVersion, fixtures: entries };
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    publish(
      staging,
      resolve(options.outDir),
      options.only !== undefined && options.only.length > 0,
    );
    return manifest;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function manifestEntry(
  spec: FixtureSpec,
  file: string,
  sourceHash: string,
  fileHash: string,
): ManifestEntry {
  return {
    file,
    workspace: spec.workspace,
    variant: spec.variant,
    breaks: spec.breaks,
    sourceHash,
    fileHash,
  };
}

/** Moves the staged fixtures into outDir; a full run also removes plan files no longer listed. */
function publish(staging: string, outDir: string, partial: boolean): void {
  mkdirSync(outDir, { recursive: true });
  if (partial) {
    const old = join(outDir, 'manifest.json');
    const staged = JSON.parse(
      readFileSync(join(staging, 'manifest.json'), 'utf8'),
    ) as FixtureManifest;
    if (existsSync(old)) {
      const prev = JSON.parse(readFileSync(old, 'utf8')) as FixtureManifest;
      const names = new Set(staged.fixtures.map((f) => f.file));
      const merged = {
        ...staged,
        fixtures: [...prev.fixtures.filter((f) => !names.has(f.file)), ...staged.fixtures],
      };
      writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(merged, null, 2)}\n`);
    }
  } else {
    for (const f of readdirSync(outDir)) if (f.endsWith('.json')) rmSync(join(outDir, f));
  }
  for (const f of readdirSync(staging)) renameSync(join(staging, f), join(outDir, f));
}
