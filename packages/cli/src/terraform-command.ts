import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import {
  readWorkspaces,
  UPSTREAM_TFVARS_FILE,
  upstreamInputs,
  upstreamOf,
  writeInputsFile,
} from '@stackproof/delivery';
import type { CliOutcome } from './cli-outcome.ts';
import { parseFlags } from './flags.ts';
import { UsageError } from './usage-error.ts';

export const TERRAFORM_USAGE = `Usage: stackproof terraform inputs <workspace> --outputs-dir DIR [--output FILE]
       stackproof terraform upstream <workspace>

  inputs     write a workspace's neighbour inputs (terraform/aws/workspaces.json) from the earlier
             workspaces' 'terraform output -json', saved as DIR/<workspace>.json (slashes as
             dashes), to terraform/aws/<workspace>/${UPSTREAM_TFVARS_FILE}, which
             'terraform plan' loads by itself
  upstream   print the workspaces whose outputs <workspace> reads, one per line, in apply order

Options:
  --outputs-dir DIR   where the earlier workspaces' outputs are saved
  --output FILE       write the inputs here instead (- for stdout)

Exit status: 0 written, 2 bad input or an upstream workspace not applied yet (the message says
which output is missing).`;

function parse(args: readonly string[]) {
  return parseFlags(
    args,
    {
      'outputs-dir': { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    TERRAFORM_USAGE,
  );
}

/** `stackproof terraform …`: the workspace wiring the workflows use before `terraform plan`. */
export async function terraformCommand(args: readonly string[]): Promise<CliOutcome> {
  const [action, ...rest] = args;
  const { values, positionals } = parse(rest);
  if (values.help || action === '--help' || action === '-h') {
    return { exitCode: 0, stdout: `${TERRAFORM_USAGE}\n` };
  }
  const workspace = positionals[0];
  if (positionals.length !== 1 || workspace === undefined) {
    throw new UsageError(`expected exactly one workspace\n\n${TERRAFORM_USAGE}`);
  }
  if (action === 'upstream') {
    const upstream = upstreamOf(readWorkspaces(), workspace);
    return { exitCode: 0, stdout: upstream.map((w) => `${w}\n`).join('') };
  }
  if (action !== 'inputs') {
    throw new UsageError(`unknown terraform subcommand '${action ?? ''}'\n\n${TERRAFORM_USAGE}`);
  }
  const outputsDir = values['outputs-dir'];
  if (outputsDir === undefined)
    throw new UsageError(`--outputs-dir is required\n\n${TERRAFORM_USAGE}`);
  const inputs = await upstreamInputs(workspace, outputsDir);
  const output =
    values.output ?? join(repoPath('terraform', 'aws', workspace), UPSTREAM_TFVARS_FILE);
  if (output === '-') return { exitCode: 0, stdout: `${JSON.stringify(inputs, null, 2)}\n` };
  await writeInputsFile(output, inputs);
  return {
    exitCode: 0,
    stdout: `${workspace}: ${Object.keys(inputs).length} input(s) written to ${output}\n`,
  };
}
