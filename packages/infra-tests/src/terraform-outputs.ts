import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { StackproofError, terraformOutputsProblems } from '@stackproof/core';

/** One workspace's outputs as plain values: output name → value (sensitive ones left out). */
export type TerraformOutputs = Readonly<Record<string, unknown>>;

export class TerraformOutputsError extends StackproofError {
  constructor(message: string) {
    super('TERRAFORM_OUTPUTS_INVALID', 'bad-input', message);
  }
}

const HOW_TO_WRITE = (dir: string) =>
  `write them with 'terraform output -json > ${dir}/<workspace>.json' (workspace path with / as -), ` +
  "or start the sandbox ('stackproof sandbox up' writes .sandbox/outputs/)";

/**
 * Reads the outputs directory of the outputs contract (core's terraform-outputs.ts): one
 * `<workspace>.json` per root, exactly what `terraform output -json` prints, as CI and the sandbox
 * write them. Returns plain values per workspace, keyed by file name without `.json`
 * (`eks-prod1-infra`). The live suite takes ids (VPC, cluster, DB) only from here, never
 * hard-coded. Sensitive outputs are dropped so no assertion can print them.
 */
export async function loadTerraformOutputs(
  dir: string,
): Promise<ReadonlyMap<string, TerraformOutputs>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TerraformOutputsError(
      code === 'ENOENT'
        ? `there is no outputs directory ${dir}; ${HOW_TO_WRITE(dir)}`
        : `cannot read the outputs directory ${dir} (${code})`,
    );
  }
  const files = names.filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) {
    throw new TerraformOutputsError(`${dir} holds no <workspace>.json; ${HOW_TO_WRITE(dir)}`);
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
    result.set(basename(file, '.json'), values);
  }
  return result;
}
