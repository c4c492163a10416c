import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the plan fixtures' list, variants and moto override live, relative to terraform/. */
export const PLAN_FIXTURES_DIR = join('scripts', 'plan-fixtures');

/** The hashicorp/aws version `tofu init` locked in a workspace, when it has run there. */
export function lockedAwsVersion(workspaceDir: string): string | undefined {
  const lockFile = join(workspaceDir, '.terraform.lock.hcl');
  if (!existsSync(lockFile)) return undefined;
  return /provider "registry\.opentofu\.org\/hashicorp\/aws" \{\s*version\s*=\s*"([^"]+)"/.exec(
    readFileSync(lockFile, 'utf8'),
  )?.[1];
}

/**
 * The provider override that points a workspace at moto (endpoints, test credentials, skip
 * flags, local state): terraform/scripts/plan-fixtures/moto_override.tf with its endpoint filled in.
 * Written as `moto_override.tf` into a scratch copy of a workspace, never into the real root.
 */
export function motoProviderOverride(terraformRoot: string, motoEndpoint: string): string {
  return readFileSync(
    join(terraformRoot, PLAN_FIXTURES_DIR, 'moto_override.tf'),
    'utf8',
  ).replaceAll('MOTO_ENDPOINT', motoEndpoint);
}
