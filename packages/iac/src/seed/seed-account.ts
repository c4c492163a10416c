import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  type JsonValue,
  outputsFileName,
  repoPath,
  type TerraformOutputsDocument,
} from '@stackproof/core';
import { IacError } from '../iac-error.ts';
import { type AppliedWorkspace, applyWorkspace, type SeededResource } from './apply-workspace.ts';
import { type SeedClients, type SeedTarget, seedClients } from './handler.ts';
import {
  NODE_INSTANCE_NOTE,
  type NodeInstance,
  type SeedNode,
  seedNodeInstances,
} from './node-instances.ts';
import { resolveReferences, UnresolvedReferenceError } from './references.ts';
import { SEED_VARIANTS, type SeedVariant } from './seed-variants.ts';
import {
  type EvaluatedResource,
  type EvaluatedWorkspace,
  evaluateTerraformRoot,
} from './tfeval.ts';

/**
 * The workspaces the seed creates, in apply order (each reads outputs of earlier ones).
 * eks/prod1/k8s is not seeded: it installs charts through a Kubernetes API, not AWS.
 */
export const SEEDED_WORKSPACES = [
  '_tfstate',
  'network',
  'eks/prod1/infra',
  'rds',
  'services/backend',
  'services/frontend',
] as const;

export const NOT_SEEDED_WORKSPACES: Readonly<Record<string, string>> = {
  'eks/prod1/k8s': 'Helm releases and Kubernetes objects: the sandbox cluster holds its own',
};

/** `terraform output -json` of one workspace (the outputs contract of core). */
export type TerraformOutputDocument = TerraformOutputsDocument;

export interface SeededWorkspace {
  readonly name: string;
  readonly outputs: TerraformOutputDocument;
  readonly resources: readonly SeededResource[];
  /** Outputs that name something the emulator does not hold (written as null). */
  readonly unresolvedOutputs: Readonly<Record<string, string>>;
}

export interface SeedResult {
  /** Always `sdk-seed`: the account was seeded from terraform/aws, not applied. */
  readonly source: 'sdk-seed';
  readonly region: string;
  readonly account: string;
  readonly workspaces: readonly SeededWorkspace[];
  readonly nodeInstances: readonly NodeInstance[];
  /** The EKS cluster and managed node group the node instances belong to. */
  readonly nodeGroup?: { readonly clusterName: string; readonly nodegroupName: string };
  /** What the emulator holds differently for the account as a whole (node instances). */
  readonly notes: readonly string[];
  /** The property a broken variant breaks, when one was asked for. */
  readonly variant?: string;
  readonly notSeeded: Readonly<Record<string, string>>;
}

export interface SeedOptions {
  readonly target: SeedTarget;
  /** The repository's terraform/ folder (default: this checkout's). */
  readonly terraformRoot?: string;
  readonly workspaces?: readonly string[];
  /** Kubernetes nodes that get an instance of the node group each (the sandbox's KWOK nodes). */
  readonly nodes?: readonly SeedNode[];
  /** A broken variant: the id of the one property it breaks (SEED_VARIANTS). */
  readonly breaks?: string;
  readonly log?: (line: string) => void;
}

const SAMPLES_DIR = join('scripts', 'plan-fixtures', 'samples');

/**
 * Where a root variable comes from. The roots say it in their descriptions ("the network
 * workspace's vpc_id output", "eks/prod1/infra's node_security_group_id output"), which the
 * evaluator read from the HCL.
 */
export function variableSource(
  description: string,
): { workspace: string; output: string } | undefined {
  const found = /(?:the )?([a-z0-9_/-]+?)(?: workspace)?'s ([a-z0-9_]+) output/.exec(description);
  return found?.[1] === undefined || found[2] === undefined
    ? undefined
    : { workspace: found[1], output: found[2] };
}

/**
 * The workspaces `workspace` needs applied first (those its variables name as their sources, and
 * theirs), with itself, in seed order: what a broken variant of it must seed, and no more.
 */
export async function workspacesNeededFor(
  workspace: string,
  terraformRoot: string = repoPath('terraform'),
): Promise<string[]> {
  const needed = new Set<string>();
  const visit = async (name: string): Promise<void> => {
    if (needed.has(name)) return;
    needed.add(name);
    const evaluated = await evaluateTerraformRoot(join(terraformRoot, 'aws', name));
    for (const declared of Object.values(evaluated.variables)) {
      const source = variableSource(declared.description);
      if (
        source !== undefined &&
        (SEEDED_WORKSPACES as readonly string[]).includes(source.workspace)
      ) {
        await visit(source.workspace);
      }
    }
  };
  await visit(workspace);
  return SEEDED_WORKSPACES.filter((w) => needed.has(w));
}

function outputValue(workspace: EvaluatedWorkspace, attributes: AppliedWorkspace['attributes']) {
  const outputs: Record<string, TerraformOutputsDocument[string]> = {};
  const unresolved: Record<string, string> = {};
  for (const [name, output] of Object.entries(workspace.outputs).sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    let value: unknown;
    try {
      value = resolveReferences(output.value, (a) => attributes.get(a));
    } catch (error) {
      if (!(error instanceof UnresolvedReferenceError)) throw error;
      unresolved[name] = error.message;
      value = null;
    }
    outputs[name] = {
      sensitive: output.sensitive,
      type: output.type as JsonValue,
      value: value as JsonValue,
    };
  }
  return { outputs, unresolved };
}

function sampleVarFile(terraformRoot: string, workspace: string): string {
  return join(terraformRoot, SAMPLES_DIR, `${workspace.replaceAll('/', '-')}.tfvars`);
}

async function exists(file: string): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  return access(file).then(
    () => true,
    () => false,
  );
}

function nodeGroupShape(applied: AppliedWorkspace, resources: readonly EvaluatedResource[]) {
  const group = resources.find((r) => r.type === 'aws_eks_node_group');
  if (group === undefined) return undefined;
  const attrs = applied.attributes.get(group.address) as Record<string, unknown> | undefined;
  if (attrs === undefined) return undefined;
  const scaling = (attrs.scaling_config as Record<string, number>[] | undefined)?.[0] ?? {};
  const template = (attrs.launch_template as Record<string, unknown>[] | undefined)?.[0] ?? {};
  const asg = (attrs.resources as { autoscaling_groups: { name: string }[] }[] | undefined)?.[0]
    ?.autoscaling_groups[0]?.name;
  return {
    clusterName: String(attrs.cluster_name),
    nodegroupName: String(attrs.node_group_name),
    autoScalingGroupName: asg ?? `eks-${String(attrs.node_group_name)}`,
    launchTemplateId: String(template.id),
    launchTemplateVersion: String(template.version ?? '$Latest'),
    subnetIds: (attrs.subnet_ids as string[] | undefined) ?? [],
    minSize: scaling.min_size ?? 1,
    maxSize: scaling.max_size ?? 1,
  };
}

/**
 * Seeds an AWS endpoint (moto) with the reference account: every workspace of terraform/aws read
 * with the real HCL parser (stackproof-tfeval), its resources created through the SDK in
 * dependency order, the outputs computed as `terraform output -json` would print them, and one
 * node instance per Kubernetes node. What moto cannot hold is recorded per resource.
 */
export async function seedAwsAccount(options: SeedOptions): Promise<SeedResult> {
  const terraformRoot = options.terraformRoot ?? repoPath('terraform');
  const names = options.workspaces ?? SEEDED_WORKSPACES;
  let variant: SeedVariant | undefined;
  if (options.breaks !== undefined) {
    variant = SEED_VARIANTS[options.breaks];
    if (variant === undefined) {
      throw new IacError(
        'SEED_FAILED',
        `no broken variant of the seed for '${options.breaks}' (variants: ${Object.keys(SEED_VARIANTS).join(', ')})`,
      );
    }
  }
  const clients = seedClients(options.target);
  try {
    const who = await clients.sts.send(new GetCallerIdentityCommand({}));
    const identity = { account: who.Account ?? '', arn: who.Arn ?? '' };
    const seeded: SeededWorkspace[] = [];
    const outputsOf = new Map<string, TerraformOutputDocument>();
    const appliedOf = new Map<string, AppliedWorkspace>();
    let nodeShape: ReturnType<typeof nodeGroupShape>;
    for (const name of names) {
      const root = join(terraformRoot, 'aws', name);
      const sample = sampleVarFile(terraformRoot, name);
      const varFiles = (await exists(sample)) ? [sample] : [];
      const own = variant?.workspace === name ? variant : undefined;
      // First read: the variables and where each comes from; then the neighbours' real outputs.
      const first = await evaluateTerraformRoot(root, { varFiles });
      const vars: Record<string, unknown> = {};
      for (const [variable, declared] of Object.entries(first.variables)) {
        const source = variableSource(declared.description);
        const value =
          source === undefined
            ? undefined
            : outputsOf.get(source.workspace)?.[source.output]?.value;
        if (value !== undefined && value !== null) vars[variable] = value;
      }
      Object.assign(vars, own?.vars);
      let workspace = await evaluateTerraformRoot(root, {
        varFiles,
        vars,
        ...(own?.moduleArgs !== undefined ? { moduleArgs: own.moduleArgs } : {}),
      });
      if (own?.patch !== undefined)
        workspace = { ...workspace, resources: own.patch(workspace.resources) };
      const provider = workspace.providers.aws ?? {};
      const defaultTags =
        ((provider.default_tags as { tags?: Record<string, string> }[] | undefined)?.[0]
          ?.tags as Record<string, string>) ?? {};
      options.log?.(
        `seed ${name}: ${workspace.resources.filter((r) => r.mode === 'managed').length} resources`,
      );
      const applied = await applyWorkspace(workspace, {
        clients,
        region: options.target.region,
        identity,
        defaultTags,
        ...(options.log !== undefined ? { log: options.log } : {}),
      });
      appliedOf.set(name, applied);
      let { outputs, unresolved } = outputValue(workspace, applied.attributes);
      if (own?.patchOutputs !== undefined) outputs = own.patchOutputs(outputs);
      outputsOf.set(name, outputs);
      seeded.push({ name, outputs, resources: applied.resources, unresolvedOutputs: unresolved });
      nodeShape ??= nodeGroupShape(applied, workspace.resources);
    }
    const nodeInstances =
      nodeShape === undefined
        ? []
        : await seedNodeInstances(clients, nodeShape, options.nodes ?? []);
    const notes = nodeInstances.length > 0 ? [NODE_INSTANCE_NOTE] : [];
    await variant?.after?.(clients, appliedOf, nodeShape);
    return {
      source: 'sdk-seed',
      region: options.target.region,
      account: identity.account,
      workspaces: seeded,
      nodeInstances,
      ...(nodeShape !== undefined
        ? {
            nodeGroup: {
              clusterName: nodeShape.clusterName,
              nodegroupName: nodeShape.nodegroupName,
            },
          }
        : {}),
      notes,
      ...(options.breaks !== undefined ? { variant: options.breaks } : {}),
      notSeeded: NOT_SEEDED_WORKSPACES,
    };
  } catch (error) {
    if (error instanceof IacError) throw error;
    throw new IacError(
      'SEED_FAILED',
      `seeding the AWS account failed: ${(error as Error).message}`,
    );
  } finally {
    clients.destroy();
  }
}

/**
 * Writes `<dir>/<workspace>.json` per seeded workspace, each exactly what `terraform output -json`
 * prints, and nothing else (the directory is replaced as a whole, so no stale file survives).
 */
export async function writeOutputsDir(result: SeedResult, dir: string): Promise<void> {
  const temp = `${dir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  for (const workspace of result.workspaces) {
    await writeFile(
      join(temp, outputsFileName(workspace.name)),
      `${JSON.stringify(workspace.outputs, null, 2)}\n`,
    );
  }
  await rm(dir, { recursive: true, force: true });
  await rename(temp, dir);
}

export type { SeedClients };
