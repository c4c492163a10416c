import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { StackproofError } from '@stackproof/core';

/** One `terraform output -json` document: output name → { value, type, sensitive }. */
export type TerraformOutputs = Readonly<Record<string, unknown>>;

export class TerraformOutputsError extends StackproofError {
  constructor(message: string) {
    super('TERRAFORM_OUTPUTS_INVALID', 'bad-input', message);
  }
}

/**
 * Reads `<workspace>.json` files written by `terraform output -json > <workspace>.json` and returns
 * plain values per workspace. The live suite takes ids (VPC, cluster, DB) only from here, never
 * hard-coded. Sensitive outputs are dropped so no assertion can print them.
 */
export async function loadTerraformOutputs(
  dir: string,
): Promise<ReadonlyMap<string, TerraformOutputs>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) {
    throw new TerraformOutputsError(
      `${dir} holds no <workspace>.json; write them with 'terraform output -json > ${dir}/<workspace>.json'`,
    );
  }
  const result = new Map<string, TerraformOutputs>();
  for (const file of files) {
    const path = join(dir, file);
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new TerraformOutputsError(`${path} is not JSON: ${(error as Error).message}`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new TerraformOutputsError(`${path} is not 'terraform output -json' output (an object)`);
    }
    const values: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(doc)) {
      if (typeof output !== 'object' || output === null || !('value' in output)) {
        throw new TerraformOutputsError(
          `${path}: output '${name}' has no 'value' (expected 'terraform output -json' format)`,
        );
      }
      if ((output as { sensitive?: unknown }).sensitive === true) continue;
      values[name] = (output as { value: unknown }).value;
    }
    result.set(basename(file, '.json'), values);
  }
  return result;
}
