import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { PolicyInputError } from './errors.ts';
import {
  type LoadedManifests,
  type ManifestObject,
  readManifestFile,
  readManifests,
} from './kubernetes-manifests.ts';
import { type LoadedTerraformPlan, readTerraformPlan } from './terraform-plan.ts';

export type PolicyInput = LoadedTerraformPlan | LoadedManifests;

export interface CollectedInputs {
  readonly inputs: readonly PolicyInput[];
  /** Files in a directory that were not plans (e.g. a fixtures manifest.json), with the reason. */
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml']);
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.terraform', '.git']);

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
}

/**
 * Turns the CLI's target into policy inputs: a plan JSON file, a manifest YAML file, or a directory
 * holding either. In a directory every plan is evaluated on its own (each is one root module);
 * all YAML files form one Kubernetes input, because a PodDisruptionBudget or a NetworkPolicy in
 * one file applies to Deployments in another.
 */
export async function loadPolicyInputs(target: string): Promise<CollectedInputs> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(target)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PolicyInputError('INPUT_NOT_FOUND', target, 'no such file or directory');
    }
    throw error;
  }
  if (!isDirectory) {
    const extension = extname(target).toLowerCase();
    if (extension === '.json' || extension === '.tfstate')
      return { inputs: [await readTerraformPlan(target)], skipped: [] };
    if (MANIFEST_EXTENSIONS.has(extension)) {
      return { inputs: [await readManifests([target])], skipped: [] };
    }
    throw new PolicyInputError(
      'UNSUPPORTED_INPUT',
      target,
      'expected a Terraform plan (.json), Kubernetes manifests (.yaml, .yml) or a directory',
    );
  }

  const files: string[] = [];
  await walk(target, files);
  files.sort();
  const inputs: PolicyInput[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const file of files.filter((f) => extname(f).toLowerCase() === '.json')) {
    try {
      inputs.push(await readTerraformPlan(file));
    } catch (error) {
      // Other JSON (a fixtures index, a package.json) may sit beside plans; a broken or
      // unsupported plan is still an error.
      if (error instanceof PolicyInputError && error.code === 'NOT_A_PLAN') {
        skipped.push({ file, reason: 'not Terraform plan JSON' });
        continue;
      }
      throw error;
    }
  }
  const manifestFiles: string[] = [];
  const objects: ManifestObject[] = [];
  for (const file of files.filter((f) => MANIFEST_EXTENSIONS.has(extname(f).toLowerCase()))) {
    try {
      objects.push(...(await readManifestFile(file)));
      manifestFiles.push(file);
    } catch (error) {
      // Helm values files and other YAML may sit beside rendered manifests; broken YAML is an error.
      if (error instanceof PolicyInputError && error.code === 'INVALID_MANIFEST') {
        skipped.push({
          file,
          reason: 'not Kubernetes manifests (a document has no apiVersion and kind)',
        });
        continue;
      }
      throw error;
    }
  }
  if (manifestFiles.length > 0) inputs.push({ kind: 'kubernetes', files: manifestFiles, objects });
  if (inputs.length === 0) {
    throw new PolicyInputError(
      'NO_INPUTS',
      target,
      'the directory holds no Terraform plan (.json) and no Kubernetes manifests (.yaml, .yml)',
    );
  }
  return { inputs, skipped };
}
