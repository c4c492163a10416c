import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { outputsFileName, repoPath } from '@stackproof/core';
import { DeliveryError } from './delivery-error.ts';

/** An input variable of a workspace, filled from an output of an earlier workspace. */
export interface WorkspaceInput {
  readonly workspace: string;
  readonly output: string;
}

/** One root module under terraform/aws and where its neighbour inputs come from. */
export interface WorkspaceSpec {
  /** Path under terraform/aws (`eks/prod1/infra`). */
  readonly name: string;
  /** Variable name → the output of an earlier workspace that fills it. */
  readonly inputs: Readonly<Record<string, WorkspaceInput>>;
}

/** The wiring file: workspaces in apply order with their inputs. */
export const WORKSPACES_FILE = join('aws', 'workspaces.json');

// The file name `terraform output -json` of a workspace is saved under is core's outputs contract
// (slashes become dashes), shared with the sandbox's writer and the live suite's reader.
export { outputsFileName };

/** The tfvars file `stackproof terraform inputs` writes into a root; loaded by plan on its own. */
export const UPSTREAM_TFVARS_FILE = 'upstream.auto.tfvars.json';

function invalid(file: string, why: string): DeliveryError {
  return new DeliveryError('WORKSPACES_INVALID', `${file}: ${why}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads terraform/aws/workspaces.json and checks it is usable: every workspace is a folder under
 * terraform/aws, and every input comes from a workspace listed before it (apply order).
 */
export function readWorkspaces(terraformRoot: string = repoPath('terraform')): WorkspaceSpec[] {
  const file = join(terraformRoot, WORKSPACES_FILE);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw invalid(file, `cannot read it as JSON (${(error as Error).message})`);
  }
  const list = isRecord(doc) ? doc.workspaces : undefined;
  if (!Array.isArray(list)) throw invalid(file, 'needs a "workspaces" array');
  const specs: WorkspaceSpec[] = [];
  for (const [i, entry] of list.entries()) {
    if (!isRecord(entry) || typeof entry.name !== 'string' || !isRecord(entry.inputs)) {
      throw invalid(file, `workspaces[${i}] needs a "name" string and an "inputs" object`);
    }
    const name = entry.name;
    if (!existsSync(join(terraformRoot, 'aws', name))) {
      throw invalid(file, `workspaces[${i}]: there is no folder terraform/aws/${name}`);
    }
    const inputs: Record<string, WorkspaceInput> = {};
    for (const [variable, source] of Object.entries(entry.inputs)) {
      if (!isRecord(source) || typeof source.workspace !== 'string') {
        throw invalid(file, `${name}: input ${variable} needs "workspace" and "output" strings`);
      }
      if (typeof source.output !== 'string') {
        throw invalid(file, `${name}: input ${variable} needs "workspace" and "output" strings`);
      }
      if (!specs.some((s) => s.name === source.workspace)) {
        throw invalid(
          file,
          `${name}: input ${variable} comes from ${source.workspace}, which is not listed before it (the list is the apply order)`,
        );
      }
      inputs[variable] = { workspace: source.workspace, output: source.output };
    }
    specs.push({ name, inputs });
  }
  return specs;
}

/** The spec of one workspace; `UNKNOWN_WORKSPACE` names the known ones otherwise. */
export function getWorkspace(specs: readonly WorkspaceSpec[], name: string): WorkspaceSpec {
  const spec = specs.find((s) => s.name === name);
  if (spec === undefined) {
    throw new DeliveryError(
      'UNKNOWN_WORKSPACE',
      `'${name}' is not a workspace of terraform/aws/workspaces.json; known: ${specs.map((s) => s.name).join(', ')}`,
    );
  }
  return spec;
}

/** The workspaces whose outputs a workspace reads, in apply order. */
export function upstreamOf(specs: readonly WorkspaceSpec[], name: string): string[] {
  const spec = getWorkspace(specs, name);
  const from = new Set(Object.values(spec.inputs).map((i) => i.workspace));
  return specs.filter((s) => from.has(s.name)).map((s) => s.name);
}

async function readOutputs(file: string, workspace: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DeliveryError(
      'OUTPUTS_INVALID',
      `${file} is missing: save ${workspace}'s outputs first with 'terraform -chdir=terraform/aws/${workspace} output -json > ${file}'`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new DeliveryError(
      'OUTPUTS_INVALID',
      `${file} is not JSON (${(error as Error).message}); it must be 'terraform output -json' of ${workspace}`,
    );
  }
  if (!isRecord(doc)) {
    throw new DeliveryError(
      'OUTPUTS_INVALID',
      `${file} is not 'terraform output -json' output (an object of outputs)`,
    );
  }
  return doc;
}

/**
 * The values of a workspace's neighbour inputs, read from the earlier workspaces'
 * `terraform output -json` files in `outputsDir` (named by `outputsFileName`). An upstream that
 * has not been applied yet has no outputs: that is `UPSTREAM_NOT_APPLIED`, naming what to apply.
 */
export async function upstreamInputs(
  workspace: string,
  outputsDir: string,
  terraformRoot: string = repoPath('terraform'),
): Promise<Record<string, unknown>> {
  const specs = readWorkspaces(terraformRoot);
  const spec = getWorkspace(specs, workspace);
  const outputs = new Map<string, Record<string, unknown>>();
  for (const upstream of upstreamOf(specs, workspace)) {
    outputs.set(upstream, await readOutputs(join(outputsDir, outputsFileName(upstream)), upstream));
  }
  const values: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [variable, source] of Object.entries(spec.inputs)) {
    const output = outputs.get(source.workspace)?.[source.output];
    if (!isRecord(output) || !('value' in output)) {
      missing.push(`${source.workspace}'s ${source.output} (for ${variable})`);
      continue;
    }
    values[variable] = output.value;
  }
  if (missing.length > 0) {
    throw new DeliveryError(
      'UPSTREAM_NOT_APPLIED',
      `cannot plan ${workspace}: no output ${missing.join(', ')}; apply ${[...new Set(Object.values(spec.inputs).map((i) => i.workspace))].join(' and ')} in this account first`,
    );
  }
  return values;
}

/** Writes the inputs as a `*.auto.tfvars.json` file (pretty JSON, trailing newline). */
export async function writeInputsFile(
  file: string,
  values: Record<string, unknown>,
): Promise<void> {
  await writeFile(file, `${JSON.stringify(values, null, 2)}\n`);
}
