import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DEFAULT_REGION,
  type TerraformOutputsDocument,
  terraformOutputsProblems,
} from '@stackproof/core';
import {
  detectIacTier,
  hashTerraformSources,
  lockedAwsVersion,
  motoProviderOverride,
  runTofuOrThrow,
} from '@stackproof/iac';
import { AWS_TEST_CREDENTIALS, type AwsEndpoint, startMotoServer } from '@stackproof/toolchain';
import { AwsStateRecordError } from './errors.ts';
import {
  beginAwsStateRecording,
  DEFAULT_AWS_STATE_SEED,
  detectMotoVersion,
  finishAwsStateRecording,
  recordedRequestCount,
} from './state-capture.ts';
import type { AwsStateManifest, AwsStateWorkspace } from './state-manifest.ts';

/**
 * The workspaces recorded by default, in apply order (each reads outputs of earlier ones).
 * eks/prod1/k8s is left out: it installs charts through a Kubernetes API, not AWS.
 */
export const DEFAULT_RECORDED_WORKSPACES = [
  '_tfstate',
  'network',
  'eks/prod1/infra',
  'rds',
  'services/backend',
  'services/frontend',
] as const;

/**
 * Resources applied with `-exclude` because moto 5.2.1 has no API for them (EKS access entries,
 * access policy associations, add-ons and Pod Identity associations answer 404; measured in
 * aws-moto-gaps.test.ts). Everything else in those workspaces is applied as written, and the
 * manifest lists what was left out.
 */
export const MOTO_EXCLUDED_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  'eks/prod1/infra': [
    'module.cluster.aws_eks_access_entry.admin',
    'module.cluster.aws_eks_access_policy_association.admin',
    'module.cluster.aws_eks_addon.pod_identity_agent',
  ],
  'services/backend': ['module.service.aws_eks_pod_identity_association.this'],
  'services/frontend': ['module.service.aws_eks_pod_identity_association.this'],
};

const SAMPLES_DIR = join('scripts', 'plan-fixtures', 'samples');
const NEIGHBOURS_FILE = 'stackproof-neighbours.tfvars.json';

export interface RecordAwsStateOptions {
  /** The repository's terraform/ folder. */
  readonly terraformRoot: string;
  /** Where recording.jsonl and manifest.json go (fixtures/aws-state). */
  readonly outDir: string;
  /** Workspaces to apply, in order (default DEFAULT_RECORDED_WORKSPACES). */
  readonly workspaces?: readonly string[];
  /** Resource addresses to `-exclude` per workspace (default MOTO_EXCLUDED_RESOURCES). */
  readonly exclude?: Readonly<Record<string, readonly string[]>>;
  readonly region?: string;
  readonly seed?: number;
  /** Keep moto's and the verification's logs here (default: a temp dir removed at the end). */
  readonly logDir?: string;
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** Where a root module's variable comes from: another workspace's output. */
interface VariableSource {
  readonly workspace: string;
  readonly output: string;
}

/**
 * The variables a root module declares, with the neighbour output each one documents as its source.
 * The roots follow one convention in their descriptions — "the network workspace's vpc_id output",
 * "eks/prod1/infra's node_security_group_id output" — which is read here rather than guessing by
 * name (rds's eks_node_security_group_id is eks/prod1/infra's node_security_group_id).
 */
export function variableSources(workspaceDir: string): Map<string, VariableSource | undefined> {
  const vars = new Map<string, VariableSource | undefined>();
  for (const file of readdirTf(workspaceDir)) {
    const text = readFileSync(join(workspaceDir, file), 'utf8');
    for (const chunk of text.split(/^(?=variable\s+")/m)) {
      const name = /^variable\s+"([^"]+)"/.exec(chunk)?.[1];
      if (name === undefined) continue;
      const description = /^\s*description\s*=\s*"((?:[^"\\]|\\.)*)"/m.exec(chunk)?.[1] ?? '';
      const source = /(?:the )?([a-z0-9_/-]+?)(?: workspace)?'s ([a-z0-9_]+) output/.exec(
        description,
      );
      vars.set(
        name,
        source?.[1] === undefined || source[2] === undefined
          ? undefined
          : { workspace: source[1], output: source[2] },
      );
    }
  }
  return vars;
}

function readdirTf(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tf')) : [];
}

/** `tofu output -json` as printed; refused (naming what is wrong) when it is not that shape. */
function outputsDocument(json: string, workspace: string): TerraformOutputsDocument {
  const parsed: unknown = JSON.parse(json);
  const problems = terraformOutputsProblems(parsed);
  if (problems.length > 0) {
    throw new AwsStateRecordError(
      'tofu-failed',
      `tofu output -json: ${problems.join('; ')}`,
      workspace,
    );
  }
  return parsed as TerraformOutputsDocument;
}

/** `address: actions` of every resource a plan would change (no-ops and reads left out). */
function plannedChanges(showJson: string): string[] {
  const plan = JSON.parse(showJson) as {
    resource_changes?: { address: string; change: { actions: string[] } }[];
  };
  return (plan.resource_changes ?? [])
    .filter((rc) => !rc.change.actions.every((a) => a === 'no-op' || a === 'read'))
    .map((rc) => `${rc.address}: ${rc.change.actions.join('+')}`)
    .sort();
}

/**
 * Applies terraform/aws workspaces with OpenTofu to a recording moto server and saves the
 * recording (fixtures/aws-state/recording.jsonl + manifest.json) — the sandbox's AWS account,
 * restorable with restoreAwsState where the provider cannot be had.
 *
 * Each workspace is applied in a scratch copy of terraform/ with the plan fixtures' moto override
 * (local state), `-parallelism=1` so that moto hands out ids in the order the recording replays
 * them, `-exclude` for the resources moto has no API for (MOTO_EXCLUDED_RESOURCES), the sample
 * tfvars of terraform/scripts/plan-fixtures/samples, and — overriding the samples — the outputs of
 * the workspaces applied before it, for each variable whose description names its source output.
 * The recording is then replayed into a fresh moto and every workspace is planned against both:
 * the planned changes must be the same (moto's own gaps show up on both sides), so a recording is
 * only written when it reproduces the account.
 *
 * Throws AwsStateRecordError naming the missing hashicorp/aws provider when the IaC tier is not
 * built (docs/toolchain.md), and with the tail of OpenTofu's output when an apply fails.
 */
export async function recordAwsState(options: RecordAwsStateOptions): Promise<AwsStateManifest> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const tier = detectIacTier(env);
  if (!tier.ready || tier.tofu === undefined) {
    throw new AwsStateRecordError(
      'iac-tier-missing',
      'terraform/aws can only be applied with OpenTofu and the hashicorp/aws provider ' +
        '(registry.opentofu.org/hashicorp/aws), which is not available here — ' +
        `${tier.reason}. The provider cannot be built on this machine (docs/toolchain.md, ` +
        '"The IaC tier cannot be built here"); record on a machine where it is, and restore ' +
        'the recording here with restoreAwsState.',
    );
  }
  const tofu = tier.tofu.path;
  const terraformRoot = resolve(options.terraformRoot);
  const workspaces = options.workspaces ?? DEFAULT_RECORDED_WORKSPACES;
  const region = options.region ?? DEFAULT_REGION;
  for (const ws of workspaces) {
    if (!existsSync(join(terraformRoot, 'aws', ws))) {
      throw new AwsStateRecordError('bad-input', `there is no workspace terraform/aws/${ws}`);
    }
  }
  const tofuVersion = (
    JSON.parse(
      (await runTofuOrThrow(tofu, ['version', '-json'], { cwd: terraformRoot, env })).stdout,
    ) as {
      terraform_version: string;
    }
  ).terraform_version;

  const scratch = mkdtempSync(join(tmpdir(), 'stackproof-aws-state-'));
  const logDir = options.logDir ?? join(scratch, 'logs');
  mkdirSync(logDir, { recursive: true });
  const copy = join(scratch, 'terraform');
  cpSync(join(terraformRoot, 'aws'), join(copy, 'aws'), {
    recursive: true,
    filter: (src) => !src.includes('.terraform'),
  });
  cpSync(join(terraformRoot, 'modules'), join(copy, 'modules'), { recursive: true });
  const tofuEnv: NodeJS.ProcessEnv = {
    ...env,
    TF_PLUGIN_CACHE_DIR: join(scratch, 'plugin-cache'),
    AWS_ACCESS_KEY_ID: AWS_TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_TEST_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  mkdirSync(join(scratch, 'plugin-cache'));

  const writeOverride = (wsDir: string, endpoint: string) =>
    writeFileSync(join(wsDir, 'moto_override.tf'), motoProviderOverride(terraformRoot, endpoint));
  const varFileArgs = (ws: string, wsDir: string): string[] => {
    const args: string[] = [];
    const sample = join(terraformRoot, SAMPLES_DIR, `${ws.replaceAll('/', '-')}.tfvars`);
    if (existsSync(sample)) args.push(`-var-file=${sample}`);
    // Later -var-file arguments win: the real neighbour outputs override the samples' stand-ins.
    if (existsSync(join(wsDir, NEIGHBOURS_FILE))) args.push(`-var-file=${NEIGHBOURS_FILE}`);
    return args;
  };
  const exclude = options.exclude ?? MOTO_EXCLUDED_RESOURCES;
  const excludeArgs = (ws: string): string[] =>
    (exclude[ws] ?? []).map((address) => `-exclude=${address}`);
  const tofuIn = async (ws: string, wsDir: string, args: string[]) => {
    try {
      return await runTofuOrThrow(tofu, args, { cwd: wsDir, env: tofuEnv, timeoutMs: 1_800_000 });
    } catch (error) {
      throw new AwsStateRecordError(
        'tofu-failed',
        error instanceof Error ? error.message : String(error),
        ws,
      );
    }
  };

  const emulator = await startMotoServer({
    logFile: join(logDir, 'moto-record.log'),
    region,
    env,
  });
  try {
    await beginAwsStateRecording(emulator.endpoint, options.seed ?? DEFAULT_AWS_STATE_SEED);
    const applied: AwsStateWorkspace[] = [];
    const outputs: Record<string, TerraformOutputsDocument> = {};
    let awsProviderVersion: string | undefined;
    for (const [i, ws] of workspaces.entries()) {
      const t0 = Date.now();
      const wsDir = join(copy, 'aws', ws);
      writeOverride(wsDir, emulator.endpoint);
      const neighbours: Record<string, unknown> = {};
      for (const [name, source] of variableSources(wsDir)) {
        if (name === 'region') neighbours.region = region;
        const value =
          source === undefined ? undefined : outputs[source.workspace]?.[source.output]?.value;
        if (value !== undefined) neighbours[name] = value;
      }
      if (Object.keys(neighbours).length > 0) {
        writeFileSync(join(wsDir, NEIGHBOURS_FILE), `${JSON.stringify(neighbours, null, 2)}\n`);
      }
      const firstRequest = await recordedRequestCount(emulator.endpoint);
      log(`[aws-state] ${i + 1}/${workspaces.length} ${ws}: tofu init + apply`);
      await tofuIn(ws, wsDir, ['init', '-input=false', '-no-color']);
      awsProviderVersion ??= lockedAwsVersion(wsDir);
      await tofuIn(ws, wsDir, [
        'apply',
        '-auto-approve',
        '-input=false',
        '-no-color',
        '-lock=false',
        '-parallelism=1',
        ...excludeArgs(ws),
        ...varFileArgs(ws, wsDir),
      ]);
      const wsOutputs = outputsDocument((await tofuIn(ws, wsDir, ['output', '-json'])).stdout, ws);
      outputs[ws] = wsOutputs;
      const requestCount = (await recordedRequestCount(emulator.endpoint)) - firstRequest;
      applied.push({
        name: ws,
        firstRequest,
        requestCount,
        excluded: [...(exclude[ws] ?? [])],
        outputs: wsOutputs,
      });
      log(
        `[aws-state] ${ws}: ${requestCount} requests recorded (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
    }

    const planChanges = async (ws: string, target: AwsEndpoint, tag: string): Promise<string[]> => {
      const wsDir = join(copy, 'aws', ws);
      writeOverride(wsDir, target.endpoint);
      const planFile = `verify-${tag}.plan`;
      await tofuIn(ws, wsDir, [
        'plan',
        '-input=false',
        '-no-color',
        '-lock=false',
        `-out=${planFile}`,
        ...excludeArgs(ws),
        ...varFileArgs(ws, wsDir),
      ]);
      return plannedChanges((await tofuIn(ws, wsDir, ['show', '-json', planFile])).stdout);
    };
    log('[aws-state] replaying the recording into a fresh moto and comparing plans');
    return await finishAwsStateRecording(emulator, {
      outDir: options.outDir,
      region,
      logDir,
      env,
      motoVersion: await detectMotoVersion(env),
      workspaces: applied,
      source: {
        kind: 'tofu-apply',
        tofuVersion,
        ...(awsProviderVersion === undefined ? {} : { awsProviderVersion }),
        terraformSourceHash: hashTerraformSources(terraformRoot).sha256,
      },
      verify: async (original, replayed) => {
        for (const ws of workspaces) {
          const before = await planChanges(ws, original, 'original');
          const after = await planChanges(ws, replayed, 'replayed');
          if (JSON.stringify(before) !== JSON.stringify(after)) {
            throw new AwsStateRecordError(
              'replay-diverged',
              'the replayed account differs from the applied one: planning against the original ' +
                `gives [${before.join('; ')}], against the replay [${after.join('; ')}]`,
              ws,
            );
          }
        }
      },
    });
  } finally {
    await emulator.stop();
    if (options.logDir === undefined) await rm(scratch, { recursive: true, force: true });
    else await rm(copy, { recursive: true, force: true });
  }
}
