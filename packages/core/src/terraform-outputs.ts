import type { JsonValue } from './evidence.ts';

/**
 * The outputs contract between whatever applied the stack and the live suite: one
 * `<workspace>.json` per Terraform root in an outputs directory, each exactly what
 * `terraform output -json` prints. CI writes them after apply (.github/workflows), the sandbox
 * writes them for its own stand-in account (`.sandbox/outputs/`), and the live suite reads them
 * (infra-tests' loadTerraformOutputs). The shape and the file names live here so that the
 * writers and the reader cannot drift apart.
 */

/** One output as `terraform output -json` prints it. */
export interface TerraformOutput {
  readonly sensitive: boolean;
  /** Terraform's type expression (`"string"`, `["list", "string"]`, …). */
  readonly type: JsonValue;
  readonly value: JsonValue;
}

/** A whole `terraform output -json` document: output name → output. */
export type TerraformOutputsDocument = Readonly<Record<string, TerraformOutput>>;

/**
 * The file a workspace's outputs go to: its path under terraform/aws with `/` replaced by `-`
 * (`eks/prod1/infra` → `eks-prod1-infra.json`, `_tfstate` → `_tfstate.json`), as CI names them.
 */
export function outputsFileName(workspace: string): string {
  if (workspace === '' || workspace.startsWith('/') || workspace.split('/').includes('..')) {
    throw new Error(`not a workspace path under terraform/aws: '${workspace}'`);
  }
  return `${workspace.replaceAll('/', '-')}.json`;
}

/** What is wrong with a parsed document as a `terraform output -json` document (empty: nothing). */
export function terraformOutputsProblems(doc: unknown): string[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return ["not 'terraform output -json' output (an object of outputs)"];
  }
  const problems: string[] = [];
  for (const [name, output] of Object.entries(doc)) {
    if (typeof output !== 'object' || output === null || Array.isArray(output)) {
      problems.push(`output '${name}' is not an object`);
      continue;
    }
    const missing = ['value', 'type', 'sensitive'].filter((key) => !(key in output));
    if (missing.length > 0) {
      problems.push(`output '${name}' has no ${missing.map((k) => `'${k}'`).join(', ')}`);
    } else if (typeof (output as { sensitive: unknown }).sensitive !== 'boolean') {
      problems.push(`output '${name}' has a 'sensitive' that is not true or false`);
    }
  }
  return problems;
}
