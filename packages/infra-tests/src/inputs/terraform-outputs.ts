import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { outputsFileName, StackproofError, terraformOutputsProblems } from '@stackproof/core';

/** One workspace's outputs: output name → value (sensitive outputs left out). */
export type TerraformOutputs = Readonly<Record<string, unknown>>;

export class TerraformOutputsError extends StackproofError {
  constructor(message: string) {
    super('TERRAFORM_OUTPUTS_INVALID', 'bad-input', message);
  }
}

/**
 * A check needs a workspace whose outputs are not in the directory (a stack applied in part, or a
 * workspace such as eks/prod1/k8s that the sandbox does not seed): the check is skipped, saying so.
 */
export class MissingWorkspaceError extends StackproofError {
  readonly workspace: string;
  constructor(workspace: string, message: string) {
    super('WORKSPACE_OUTPUTS_MISSING', 'bad-input', message);
    this.workspace = workspace;
  }
}

/**
 * The outputs of every workspace of a stack, read from a directory of `terraform output -json`
 * documents. The live checks take every id (VPC, cluster, database, keys) from here, never from
 * their own code.
 */
export class StackOutputs {
  readonly dir: string;
  readonly #byWorkspace: ReadonlyMap<string, TerraformOutputs>;

  constructor(dir: string, byWorkspace: ReadonlyMap<string, TerraformOutputs>) {
    this.dir = dir;
    this.#byWorkspace = byWorkspace;
  }

  /** Workspaces whose outputs are present. */
  get workspaces(): string[] {
    return [...this.#byWorkspace.keys()].sort();
  }

  has(workspace: string): boolean {
    return this.#byWorkspace.has(workspace);
  }

  /** All outputs of a workspace, or undefined when its file is absent. */
  of(workspace: string): TerraformOutputs | undefined {
    return this.#byWorkspace.get(workspace);
  }

  /** Why a check that needs `workspace` cannot run, for its skip. */
  missing(workspace: string): string {
    return `no ${outputsFileName(workspace)} in ${this.dir}: workspace ${workspace} was not applied (or its outputs were not written)`;
  }

  /** One output that must be a non-empty string. */
  string(workspace: string, output: string): string {
    const value = this.#value(workspace, output);
    if (typeof value !== 'string' || value === '') {
      throw new TerraformOutputsError(
        `${join(this.dir, outputsFileName(workspace))}: output '${output}' must be a non-empty string, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  }

  /** One output that may be null (an optional output such as a policy of a service without one). */
  optionalString(workspace: string, output: string): string | undefined {
    const value = this.#value(workspace, output);
    if (value === null) return undefined;
    if (typeof value !== 'string') {
      throw new TerraformOutputsError(
        `${join(this.dir, outputsFileName(workspace))}: output '${output}' must be a string or null, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  }

  /** A list of strings (subnet ids, AZs). */
  strings(workspace: string, output: string): string[] {
    const value = this.#value(workspace, output);
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      throw new TerraformOutputsError(
        `${join(this.dir, outputsFileName(workspace))}: output '${output}' must be a list of strings`,
      );
    }
    return value as string[];
  }

  /** A map of strings (NAT gateway ids by AZ). */
  stringMap(workspace: string, output: string): Record<string, string> {
    const value = this.#value(workspace, output);
    if (
      typeof value !== 'object' ||
      value === null ||
      Array.isArray(value) ||
      !Object.values(value).every((v) => typeof v === 'string')
    ) {
      throw new TerraformOutputsError(
        `${join(this.dir, outputsFileName(workspace))}: output '${output}' must be a map of strings`,
      );
    }
    return value as Record<string, string>;
  }

  #value(workspace: string, output: string): unknown {
    const outputs = this.#byWorkspace.get(workspace);
    if (outputs === undefined) throw new MissingWorkspaceError(workspace, this.missing(workspace));
    if (!(output in outputs)) {
      throw new TerraformOutputsError(
        `${join(this.dir, outputsFileName(workspace))} has no output '${output}' (outputs: ${Object.keys(outputs).sort().join(', ') || 'none'}); apply the workspace's current code and write its outputs again`,
      );
    }
    return outputs[output];
  }
}

/**
 * Reads `<workspace>.json` files written by `terraform output -json > DIR/<workspace>.json`.
 * `workspaces` are the stack's workspaces (from the expectations' live section): a file that names
 * none of them is refused, so a typo cannot silently drop a whole workspace from the checks.
 * Sensitive outputs are dropped so that no check can print them.
 */
export async function readStackOutputs(
  dir: string,
  workspaces: readonly string[],
): Promise<StackOutputs> {
  const howToWrite = `write each workspace's outputs there with 'terraform output -json > ${dir}/<workspace>.json' (eks/prod1/infra → eks-prod1-infra.json)`;
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    throw new TerraformOutputsError(`outputs directory ${dir} does not exist; ${howToWrite}`);
  }
  if (!isDir) throw new TerraformOutputsError(`${dir} is not a directory; ${howToWrite}`);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0)
    throw new TerraformOutputsError(`${dir} holds no <workspace>.json; ${howToWrite}`);
  const byFile = new Map(workspaces.map((ws) => [outputsFileName(ws), ws]));
  const result = new Map<string, TerraformOutputs>();
  for (const file of files) {
    const workspace = byFile.get(file);
    const path = join(dir, file);
    if (workspace === undefined) {
      throw new TerraformOutputsError(
        `${path} names no workspace of the stack (expected one of ${[...byFile.keys()].join(', ')}); rename it, remove it, or list its workspace in the expectations' live.workspaces`,
      );
    }
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new TerraformOutputsError(
        `${path} is not JSON (${(error as Error).message.split('\n')[0]}); write it again with 'terraform output -json'`,
      );
    }
    // The outputs contract's shape (core's terraform-outputs.ts), as CI and the sandbox write it.
    const problems = terraformOutputsProblems(doc);
    if (problems.length > 0) {
      throw new TerraformOutputsError(
        `${path} is not 'terraform output -json' output: ${problems.join('; ')}`,
      );
    }
    const values: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(
      doc as Record<string, { sensitive: boolean; value: unknown }>,
    )) {
      if (output.sensitive) continue;
      values[name] = output.value;
    }
    result.set(workspace, values);
  }
  return new StackOutputs(dir, result);
}

/** The workspace name a file stands for, among the known ones (for messages). */
export function workspaceOfFile(file: string, workspaces: readonly string[]): string | undefined {
  return workspaces.find((ws) => outputsFileName(ws) === basename(file));
}
