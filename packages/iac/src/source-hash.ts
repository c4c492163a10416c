import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Files whose content decides a plan: configuration, variable files, override variants and the
 * fixture list. READMEs and provider caches do not change a plan, so editing docs does not force
 * a fixture regeneration.
 */
const HASHED_SUFFIXES = ['.tf', '.tfvars', '.tf.json', '.tfvars.json', '.hcl', 'fixtures.json'];
const SKIPPED_DIRS = new Set(['.terraform', 'node_modules']);
const SKIPPED_FILES = new Set([
  '.terraform.lock.hcl',
  'terraform.tfstate',
  'terraform.tfstate.backup',
]);

export interface SourceHash {
  /** sha256 over the sorted (path, file sha256) list. */
  readonly sha256: string;
  /** Relative paths (POSIX separators) that went into the hash, sorted. */
  readonly files: readonly string[];
}

function isHashed(name: string): boolean {
  return !SKIPPED_FILES.has(name) && HASHED_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

function collect(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) collect(full, out);
    } else if (entry.isFile() && isHashed(entry.name)) {
      out.push(full);
    }
  }
}

/**
 * Hashes the Terraform sources under `root` (terraform/): a path is part of the hash, so a
 * renamed file counts as a change, and the order does not depend on the file system.
 */
export function hashTerraformSources(root: string): SourceHash {
  const found: string[] = [];
  collect(root, found);
  const files = found.map((f) => relative(root, f).split(sep).join('/')).sort();
  const outer = createHash('sha256');
  for (const file of files) {
    const inner = createHash('sha256')
      .update(readFileSync(join(root, file)))
      .digest('hex');
    outer.update(`${file}\0${inner}\n`);
  }
  return { sha256: outer.digest('hex'), files };
}
