import {
  type Created,
  type HandlerContext,
  NotHeldError,
  type ResourceHandler,
  type SeedClients,
  Values,
} from './handler.ts';
import * as network from './handlers-network.ts';
import * as platform from './handlers-platform.ts';
import * as state from './handlers-state.ts';
import { referencesIn, resolveReferences, UnresolvedReferenceError } from './references.ts';
import type { EvaluatedResource, EvaluatedWorkspace } from './tfeval.ts';

/** How the seed creates each managed resource type of terraform/aws through the SDK. */
export const RESOURCE_HANDLERS: Readonly<Record<string, ResourceHandler>> = {
  aws_kms_key: state.kmsKey,
  aws_kms_alias: state.kmsAlias,
  aws_s3_bucket: state.s3Bucket,
  aws_s3_bucket_versioning: state.s3Versioning,
  aws_s3_bucket_server_side_encryption_configuration: state.s3Encryption,
  aws_s3_bucket_public_access_block: state.s3PublicAccessBlock,
  aws_s3_bucket_ownership_controls: state.s3Ownership,
  aws_s3_bucket_policy: state.s3Policy,
  aws_s3_bucket_logging: state.s3Logging,
  aws_s3_bucket_lifecycle_configuration: state.s3Lifecycle,
  aws_dynamodb_table: state.dynamodbTable,
  aws_vpc: network.vpc,
  aws_default_security_group: network.defaultSecurityGroup,
  aws_internet_gateway: network.internetGateway,
  aws_subnet: network.subnet,
  aws_eip: network.eip,
  aws_nat_gateway: network.natGateway,
  aws_route_table: network.routeTable,
  aws_route: network.route,
  aws_route_table_association: network.routeTableAssociation,
  aws_network_acl: network.networkAcl,
  aws_network_acl_rule: network.networkAclRule,
  aws_cloudwatch_log_group: network.logGroup,
  aws_flow_log: network.flowLog,
  aws_security_group: network.securityGroup,
  aws_vpc_security_group_ingress_rule: network.securityGroupIngressRule,
  aws_vpc_security_group_egress_rule: network.securityGroupEgressRule,
  aws_iam_role: platform.iamRole,
  aws_iam_role_policy: platform.iamRolePolicy,
  aws_iam_role_policy_attachment: platform.iamRolePolicyAttachment,
  aws_eks_cluster: platform.eksCluster,
  aws_launch_template: platform.launchTemplate,
  aws_eks_node_group: platform.eksNodeGroup,
  aws_eks_addon: platform.eksNotHeld,
  aws_eks_access_entry: platform.eksNotHeld,
  aws_eks_access_policy_association: platform.eksNotHeld,
  aws_eks_pod_identity_association: platform.eksNotHeld,
  aws_db_subnet_group: platform.dbSubnetGroup,
  aws_db_parameter_group: platform.dbParameterGroup,
  aws_db_instance: platform.dbInstance,
  aws_ecr_repository: platform.ecrRepository,
  aws_ecr_lifecycle_policy: platform.ecrLifecyclePolicy,
};

/** Data sources answer from the account itself (no resource is created). */
function dataAttributes(
  resource: EvaluatedResource,
  values: Readonly<Record<string, unknown>>,
  region: string,
  identity: { account: string; arn: string },
): Readonly<Record<string, unknown>> {
  switch (resource.type) {
    case 'aws_caller_identity':
      return {
        id: identity.account,
        account_id: identity.account,
        arn: identity.arn,
        user_id: identity.account,
      };
    case 'aws_partition':
      return { id: 'aws', partition: 'aws', dns_suffix: 'amazonaws.com' };
    case 'aws_region':
      return { id: region, region, name: region, endpoint: `ec2.${region}.amazonaws.com` };
    case 'aws_iam_policy_document':
      return { ...values, id: resource.address };
  }
  throw new NotHeldError(`data source ${resource.type} is not known to the seed`);
}

/** What became of one resource instance of the configuration. */
export interface SeededResource {
  readonly address: string;
  readonly type: string;
  /** created: in the emulator as configured; not-held: the emulator cannot hold it (why). */
  readonly status: 'created' | 'not-held';
  readonly id?: string;
  /** Why it is not held, or what the emulator holds differently. */
  readonly notes: readonly string[];
}

export interface AppliedWorkspace {
  readonly resources: readonly SeededResource[];
  /** Attributes by instance address (for outputs and later lookups). */
  readonly attributes: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

function dependencies(resource: EvaluatedResource, all: readonly EvaluatedResource[]): Set<string> {
  const deps = new Set(referencesIn(resource.values).map((r) => r.address));
  for (const target of resource.dependsOn) {
    for (const other of all) {
      if (
        other.address === target ||
        other.address.startsWith(`${target}[`) ||
        other.address.startsWith(`${target}.`)
      ) {
        deps.add(other.address);
      }
    }
  }
  deps.delete(resource.address);
  return deps;
}

/** Kahn's algorithm, in address order among the ready ones (a stable, reproducible order). */
function applyOrder(resources: readonly EvaluatedResource[]): EvaluatedResource[] {
  const known = new Set(resources.map((r) => r.address));
  const waiting = new Map(
    resources.map((r) => [r.address, [...dependencies(r, resources)].filter((d) => known.has(d))]),
  );
  const done = new Set<string>();
  const order: EvaluatedResource[] = [];
  while (order.length < resources.length) {
    const ready = resources.filter(
      (r) => !done.has(r.address) && (waiting.get(r.address) ?? []).every((d) => done.has(d)),
    );
    if (ready.length === 0) {
      const stuck = resources.filter((r) => !done.has(r.address)).map((r) => r.address);
      throw new Error(`dependency cycle among ${stuck.join(', ')}`);
    }
    for (const r of ready) {
      done.add(r.address);
      order.push(r);
    }
  }
  return order;
}

export interface ApplyOptions {
  readonly clients: SeedClients;
  readonly region: string;
  readonly identity: { readonly account: string; readonly arn: string };
  /** Attributes of resources seeded by earlier workspaces (never referenced across roots today). */
  readonly defaultTags: Readonly<Record<string, string>>;
  readonly log?: (line: string) => void;
}

/**
 * Creates a workspace's resources in dependency order, each from its evaluated arguments with
 * every reference replaced by what the earlier creations returned. A resource the emulator cannot
 * hold is recorded with the reason, and so is every resource that needed it.
 */
export async function applyWorkspace(
  workspace: EvaluatedWorkspace,
  options: ApplyOptions,
): Promise<AppliedWorkspace> {
  const attributes = new Map<string, Readonly<Record<string, unknown>>>();
  const seeded: SeededResource[] = [];
  for (const resource of applyOrder(workspace.resources)) {
    let values: Readonly<Record<string, unknown>>;
    try {
      values = resolveReferences(resource.values, (a) => attributes.get(a));
    } catch (error) {
      if (!(error instanceof UnresolvedReferenceError)) throw error;
      seeded.push({
        address: resource.address,
        type: resource.type,
        status: 'not-held',
        notes: [`needs ${error.reference.address}, which is not held`],
      });
      continue;
    }
    if (resource.mode === 'data') {
      attributes.set(
        resource.address,
        dataAttributes(resource, values, options.region, options.identity),
      );
      continue;
    }
    const handler = RESOURCE_HANDLERS[resource.type];
    if (handler === undefined) {
      seeded.push({
        address: resource.address,
        type: resource.type,
        status: 'not-held',
        notes: [`the seed does not create ${resource.type}`],
      });
      continue;
    }
    const tags = {
      ...options.defaultTags,
      ...((values.tags as Record<string, string> | null | undefined) ?? {}),
    };
    const context: HandlerContext = {
      clients: options.clients,
      region: options.region,
      account: options.identity.account,
      tags,
      address: resource.address,
    };
    let created: Created;
    try {
      created = await handler(new Values(values), context);
    } catch (error) {
      if (error instanceof NotHeldError) {
        seeded.push({
          address: resource.address,
          type: resource.type,
          status: 'not-held',
          notes: [error.message],
        });
        continue;
      }
      const e = error as Error;
      throw new Error(
        `${resource.address} (${resource.file}:${resource.line}): ${e.name}: ${e.message.split('\n')[0]}`,
        {
          cause: error,
        },
      );
    }
    attributes.set(resource.address, { ...values, tags_all: tags, ...created.attributes });
    const id = created.attributes.id;
    seeded.push({
      address: resource.address,
      type: resource.type,
      status: 'created',
      ...(typeof id === 'string' ? { id } : {}),
      notes: created.notes ?? [],
    });
    options.log?.(`  ${resource.address}${typeof id === 'string' ? ` → ${id}` : ''}`);
  }
  return { resources: seeded, attributes };
}
