// Records the sandbox's AWS account: applies terraform/aws workspaces with OpenTofu to a recording
// moto server and writes fixtures/aws-state/{recording.jsonl,manifest.json}.
//
//   node packages/sandbox/scripts/record-aws-state.ts [workspace ...] [--out DIR] [--logs DIR]
//
// Exit 0 recorded, 1 failed (an apply or the replay check), 2 cannot run here (IaC tier missing:
// the hashicorp/aws provider is needed) or bad arguments.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoPath } from '@stackproof/core';
import { AwsStateRecordError } from '../src/aws/errors.ts';
import { AWS_STATE_DIR } from '../src/aws/state-manifest.ts';
import { DEFAULT_RECORDED_WORKSPACES, recordAwsState } from '../src/aws/state-record.ts';

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const workspaces =
    parsed.positionals.length > 0 ? parsed.positionals : [...DEFAULT_RECORDED_WORKSPACES];
  const outDir = resolve(parsed.values.out ?? repoPath(AWS_STATE_DIR));
  try {
    const manifest = await recordAwsState({
      terraformRoot: repoPath('terraform'),
      outDir,
      workspaces,
      ...(parsed.values.logs === undefined ? {} : { logDir: resolve(parsed.values.logs) }),
    });
    process.stdout.write(
      `${JSON.stringify({ outDir, workspaces: manifest.workspaces.map((w) => w.name), requests: manifest.requestCount })}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof AwsStateRecordError &&
      (error.failure === 'iac-tier-missing' || error.failure === 'bad-input')
      ? 2
      : 1;
  }
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, logs: { type: 'string' } },
  });
}

process.exitCode = await main();
