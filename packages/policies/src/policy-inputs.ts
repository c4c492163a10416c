import { open, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { PolicyInputError } from './errors.ts';
import {
  type LoadedManifests,
  type ManifestFile,
  readManifestFile,
} from './kubernetes-manifests.ts';
import type { PlanReads } from './plan-reads.ts';
import { type LoadedTerraformPlan, readTerraformPlan } from './terraform-plan.ts';
import { sniffEncoding } from './text-encoding.ts';

export type PolicyInput = LoadedTerraformPlan | LoadedManifests;

export interface CollectedInputs {
  readonly inputs: readonly PolicyInput[];
  /** Files in a directory that were not plans (e.g. a fixtures manifest.json), with the reason. */
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
  /** How the files were grouped, when that is not the obvious way (see loadPolicyInputs). */
  readonly notes: readonly string[];
}

export interface LoadOptions {
  /** What the policies read (the bundle's contract): plans and manifests are cut down to it. */
  readonly planReads?: PlanReads;
  readonly manifestKinds?: ReadonlySet<string>;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml']);
const PLAN_EXTENSIONS = new Set(['.json', '.tfstate']);
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

/** A file with another extension is read as a plan when it starts like JSON or a binary plan. */
async function looksLikePlan(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64);
    const { bytesRead } = await handle.read(buffer, 0, 64, 0);
    const bytes = buffer.subarray(0, bytesRead);
    // A zip (binary plan, refused with a message saying so), a BOM or UTF-16 (read by the plan
    // reader), or a JSON object after whitespace.
    if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return true;
    const sniffed = sniffEncoding(bytes);
    if (!('encoding' in sniffed) || sniffed.encoding !== 'utf-8' || sniffed.bomBytes > 0)
      return true;
    return bytes.toString('utf8').trimStart().startsWith('{');
  } finally {
    await handle.close();
  }
}

/**
 * Kubernetes manifests of one folder are judged together (a PodDisruptionBudget or NetworkPolicy
 * in one file applies to Deployments in another), except files that declare the same object
 * (Kind/namespace/name) as another file: those are alternatives (several renders of one chart),
 * which one cluster never holds together. Each of them is judged as its own set, together with the
 * files that declare nothing twice.
 */
function manifestSets(files: readonly ManifestFile[]): {
  sets: ManifestFile[][];
  note?: string;
} {
  const owners = new Map<string, ManifestFile[]>();
  for (const file of files) {
    for (const id of new Set(file.identities)) {
      const list = owners.get(id);
      if (list === undefined) owners.set(id, [file]);
      else list.push(file);
    }
  }
  const clashes = new Map<ManifestFile, string[]>();
  for (const [id, list] of owners) {
    if (list.length < 2) continue;
    for (const file of list) clashes.set(file, [...(clashes.get(file) ?? []), id]);
  }
  if (clashes.size === 0) return { sets: [[...files]] };
  const shared = files.filter((f) => !clashes.has(f));
  const alternatives = files.filter((f) => clashes.has(f));
  const example = [...owners].find(([, list]) => list.length > 1) as [string, ManifestFile[]];
  return {
    sets: alternatives.map((f) => [...shared, f]),
    note:
      `${alternatives.length} manifest files declare the same objects as each other (e.g. ` +
      `${example[0]} in ${example[1].map((f) => f.file).join(' and ')}): they are alternative ` +
      `renders, so each is judged on its own${shared.length > 0 ? `, with the ${shared.length} file(s) that declare nothing twice` : ''}`,
  };
}

function manifestInput(set: readonly ManifestFile[]): LoadedManifests {
  return {
    kind: 'kubernetes',
    files: set.map((f) => f.file),
    objects: set.flatMap((f) => f.objects),
  };
}

/**
 * Turns the CLI's target into policy inputs: a plan JSON file, a manifest YAML file, or a directory
 * holding either. In a directory every plan is evaluated on its own (each is one root module);
 * YAML files form Kubernetes inputs as `manifestSets` says.
 */
export async function loadPolicyInputs(
  target: string,
  options: LoadOptions = {},
): Promise<CollectedInputs> {
  const planOptions = options.planReads !== undefined ? { reads: options.planReads } : {};
  const manifestOptions =
    options.manifestKinds !== undefined ? { kinds: options.manifestKinds } : {};
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
    if (MANIFEST_EXTENSIONS.has(extension)) {
      const file = await readManifestFile(target, manifestOptions);
      return { inputs: [manifestInput([file])], skipped: [], notes: [] };
    }
    if (PLAN_EXTENSIONS.has(extension) || (await looksLikePlan(target))) {
      return { inputs: [await readTerraformPlan(target, planOptions)], skipped: [], notes: [] };
    }
    throw new PolicyInputError(
      'UNSUPPORTED_INPUT',
      target,
      'expected a Terraform plan (.json: terraform show -json plan.out), Kubernetes manifests ' +
        '(.yaml, .yml) or a directory',
    );
  }

  const files: string[] = [];
  await walk(target, files);
  files.sort();
  const inputs: PolicyInput[] = [];
  const skipped: { file: string; reason: string }[] = [];
  const notes: string[] = [];
  for (const file of files.filter((f) => extname(f).toLowerCase() === '.json')) {
    try {
      inputs.push(await readTerraformPlan(file, planOptions));
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
  const manifestFiles: ManifestFile[] = [];
  for (const file of files.filter((f) => MANIFEST_EXTENSIONS.has(extname(f).toLowerCase()))) {
    try {
      manifestFiles.push(await readManifestFile(file, manifestOptions));
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
  if (manifestFiles.length > 0) {
    const { sets, note } = manifestSets(manifestFiles);
    inputs.push(...sets.map(manifestInput));
    if (note !== undefined) notes.push(note);
  }
  if (inputs.length === 0) {
    throw new PolicyInputError(
      'NO_INPUTS',
      target,
      'the directory holds no Terraform plan (.json) and no Kubernetes manifests (.yaml, .yml)',
    );
  }
  return { inputs, skipped, notes };
}
