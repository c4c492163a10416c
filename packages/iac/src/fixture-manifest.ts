import { readFileSync } from 'node:fs';
import { IacError } from './iac-error.ts';

export interface ManifestEntry {
  /** File under fixtures/plans/. */
  readonly file: string;
  readonly workspace: string;
  /** Override file (relative to terraform/scripts/plan-fixtures), null for the compliant plan. */
  readonly variant: string | null;
  /** Property ids the variant breaks. */
  readonly breaks: readonly string[];
  /** sha256 of the terraform sources the plan came from (see hashTerraformSources). */
  readonly sourceHash: string;
  /** sha256 of the fixture file itself, so a hand-edited fixture is caught too. */
  readonly fileHash: string;
}

export interface FixtureManifest {
  readonly tofuVersion: string;
  readonly awsProviderVersion: string;
  readonly fixtures: readonly ManifestEntry[];
}

export interface ManifestCheck {
  readonly ok: boolean;
  /** One line per problem, naming the fixture and the command that fixes it. */
  readonly problems: readonly string[];
}

export const REGENERATE_HINT =
  "run 'pnpm fixtures:plans' (terraform/scripts/generate-plan-fixtures.sh)";

export function readFixtureManifest(path: string): FixtureManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new IacError(
      'MANIFEST_UNREADABLE',
      `cannot read ${path}: ${(err as Error).message}; ${REGENERATE_HINT}`,
    );
  }
  const m = raw as Partial<FixtureManifest>;
  if (
    typeof m.tofuVersion !== 'string' ||
    typeof m.awsProviderVersion !== 'string' ||
    !Array.isArray(m.fixtures) ||
    !m.fixtures.every(
      (f) =>
        typeof f?.file === 'string' &&
        typeof f.sourceHash === 'string' &&
        typeof f.fileHash === 'string',
    )
  ) {
    throw new IacError(
      'MANIFEST_INVALID',
      `${path} is not a plan fixture manifest; ${REGENERATE_HINT}`,
    );
  }
  return m as FixtureManifest;
}

/**
 * Compares a manifest with the current terraform sources and fixture files: a fixture is stale
 * when the sources changed since it was planned, or when its file no longer matches its hash.
 */
export function checkFixtureManifest(
  manifest: FixtureManifest,
  currentSourceHash: string,
  fileHash: (file: string) => string | undefined,
): ManifestCheck {
  const problems: string[] = [];
  for (const f of manifest.fixtures) {
    if (f.sourceHash !== currentSourceHash) {
      problems.push(
        `${f.file}: planned from terraform sources ${f.sourceHash.slice(0, 12)}, now ${currentSourceHash.slice(0, 12)}; ${REGENERATE_HINT}`,
      );
    }
    const actual = fileHash(f.file);
    if (actual === undefined) {
      problems.push(`${f.file}: listed in the manifest but missing; ${REGENERATE_HINT}`);
    } else if (actual !== f.fileHash) {
      problems.push(
        `${f.file}: content differs from the manifest (edited by hand?); ${REGENERATE_HINT}`,
      );
    }
  }
  return { ok: problems.length === 0, problems };
}
