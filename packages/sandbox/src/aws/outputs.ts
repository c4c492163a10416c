import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  outputsFileName,
  type TerraformOutputsDocument,
  writeFileAtomically,
} from '@stackproof/core';

/** The sandbox's outputs directory: `<sandbox dir>/outputs`, as CI's is `.reports/outputs`. */
export function sandboxOutputsDir(sandboxDir: string): string {
  return join(sandboxDir, 'outputs');
}

/**
 * Writes one workspace's `terraform output -json` document where the outputs contract says
 * (core's outputsFileName: `eks/prod1/infra` → `eks-prod1-infra.json`), written beside the target
 * and renamed, so a reader never sees half a file. Returns the file written.
 */
export async function writeTerraformOutputs(
  outputsDir: string,
  workspace: string,
  outputs: TerraformOutputsDocument,
): Promise<string> {
  const file = join(outputsDir, outputsFileName(workspace));
  await writeFileAtomically(file, `${JSON.stringify(outputs, null, 2)}\n`);
  return file;
}

/** Removes the outputs directory: a stopped sandbox's ids point at nothing. */
export async function removeTerraformOutputs(outputsDir: string): Promise<void> {
  await rm(outputsDir, { recursive: true, force: true });
}
