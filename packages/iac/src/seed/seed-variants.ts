import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DeleteNatGatewayCommand } from '@aws-sdk/client-ec2';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { AppliedWorkspace } from './apply-workspace.ts';
import type { SeedClients } from './handler.ts';
import type { NodeGroupShape } from './node-instances.ts';
import type { TerraformOutputDocument } from './seed-account.ts';
import type { EvaluatedResource } from './tfeval.ts';

/**
 * A broken variant of the reference account: the seed with one property broken, the way a wrong
 * change of terraform/aws (a module argument, a resource argument) or a change made outside
 * Terraform (a NAT gateway deleted, an Auto Scaling group edited) would break it. The live
 * checks' negative twins.
 */
export interface SeedVariant {
  /** The workspace it changes. */
  readonly workspace: string;
  /** Root variables over the seed's. */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** Arguments of the root's module calls, as an override file would set them. */
  readonly moduleArgs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Changes evaluated resources before they are created. */
  readonly patch?: (resources: readonly EvaluatedResource[]) => EvaluatedResource[];
  /** Changes the workspace's outputs (a policy document the roles are given). */
  readonly patchOutputs?: (outputs: TerraformOutputDocument) => TerraformOutputDocument;
  /** A change made in the account after the seed, outside Terraform. */
  readonly after?: (
    clients: SeedClients,
    applied: ReadonlyMap<string, AppliedWorkspace>,
    nodeGroup: NodeGroupShape | undefined,
  ) => Promise<void>;
  /** Workspaces the checks of the broken property also read (seeded with it). */
  readonly alsoSeed?: readonly string[];
  /** Other properties it cannot help breaking too, and why. */
  readonly alsoBreaks?: { readonly properties: readonly string[]; readonly why: string };
}

type Patch = (
  values: Record<string, unknown>,
  resource: EvaluatedResource,
) => Record<string, unknown>;

/** Applies `patch` to the resources whose address matches. */
function patching(match: (r: EvaluatedResource) => boolean, patch: Patch) {
  return (resources: readonly EvaluatedResource[]): EvaluatedResource[] =>
    resources.map((r) => (match(r) ? { ...r, values: patch({ ...r.values }, r) } : r));
}

const is = (address: string) => (r: EvaluatedResource) => r.address === address;
const typed = (type: string) => (r: EvaluatedResource) => r.type === type && r.mode === 'managed';

function policyOutput(
  outputs: TerraformOutputDocument,
  name: string,
  change: (doc: { Statement: Record<string, unknown>[] }) => void,
): TerraformOutputDocument {
  const current = outputs[name];
  if (current === undefined || typeof current.value !== 'string') return outputs;
  const doc = JSON.parse(current.value) as { Statement: Record<string, unknown>[] };
  change(doc);
  return { ...outputs, [name]: { ...current, value: JSON.stringify(doc, null, 2) } };
}

function attributesOf(
  applied: ReadonlyMap<string, AppliedWorkspace>,
  workspace: string,
  address: string,
) {
  const found = applied.get(workspace)?.attributes.get(address);
  if (found === undefined) throw new Error(`variant: ${address} of ${workspace} was not seeded`);
  return found;
}

/** One variant per AWS property the seeded account can break; keyed by property id. */
export const SEED_VARIANTS: Readonly<Record<string, SeedVariant>> = {
  's3.versioning': {
    workspace: '_tfstate',
    moduleArgs: { state_backend: { versioning_enabled: false } },
  },
  's3.encryption-kms': {
    workspace: '_tfstate',
    patch: patching(
      is('module.state_backend.aws_s3_bucket_server_side_encryption_configuration.this'),
      (v) => ({
        ...v,
        rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'AES256' }] }],
      }),
    ),
  },
  's3.public-access-block': {
    workspace: '_tfstate',
    patch: patching(is('module.state_backend.aws_s3_bucket_public_access_block.this'), (v) => ({
      ...v,
      block_public_policy: false,
      restrict_public_buckets: false,
    })),
  },
  's3.tls-only': {
    workspace: '_tfstate',
    patch: (rs) => rs.filter((r) => r.address !== 'module.state_backend.aws_s3_bucket_policy.this'),
  },
  's3.access-logging': {
    workspace: '_tfstate',
    patch: (rs) =>
      rs.filter((r) => r.address !== 'module.state_backend.aws_s3_bucket_logging.this'),
  },
  'dynamodb.pitr': {
    workspace: '_tfstate',
    moduleArgs: { state_backend: { lock_table_pitr_enabled: false } },
  },
  'dynamodb.encryption': {
    workspace: '_tfstate',
    patch: patching(is('module.state_backend.aws_dynamodb_table.lock'), (v) => ({
      ...v,
      server_side_encryption: [{ enabled: false }],
    })),
  },
  'kms.rotation': {
    workspace: '_tfstate',
    moduleArgs: { state_backend: { kms_key_rotation_enabled: false } },
  },
  'iam.test-infra-read-only': {
    workspace: '_tfstate',
    patchOutputs: (outputs) =>
      policyOutput(outputs, 'test_infra_policy_json', (doc) => {
        doc.Statement.push({
          Sid: 'ReadState',
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
        });
      }),
  },
  'iam.chaos-tag-scoped': {
    workspace: '_tfstate',
    alsoSeed: ['eks/prod1/infra'],
    patchOutputs: (outputs) =>
      policyOutput(outputs, 'chaos_policy_json', (doc) => {
        for (const s of doc.Statement) if (s.Sid === 'StopStartTaggedNodes') delete s.Condition;
      }),
  },
  // The database tier squeezed into one AZ (its NACLs follow it, so only the spread breaks).
  'network.subnets-multi-az': {
    workspace: 'network',
    patch: (rs) => {
      const zones = rs
        .filter((r) => r.type === 'aws_subnet' && r.name === 'database')
        .map((r) => String(r.index))
        .sort();
      const first = zones[0] ?? '';
      return patching(
        (r) =>
          (r.type === 'aws_subnet' && r.name === 'database') ||
          (r.type === 'aws_network_acl' && String(r.index).startsWith('database-')),
        (v, r) =>
          r.type === 'aws_subnet'
            ? { ...v, availability_zone: first }
            : { ...v, tags: { ...(v.tags as Record<string, string>), 'stackproof.io/az': first } },
      )(rs);
    },
  },
  // A NAT gateway deleted outside Terraform: its AZ's private route points at nothing alive.
  'network.nat-per-az': {
    workspace: 'network',
    after: async (clients, applied) => {
      const nats = [...(applied.get('network')?.attributes.keys() ?? [])]
        .filter((a) => a.includes('aws_nat_gateway.'))
        .sort();
      const last = nats[nats.length - 1];
      if (last === undefined) throw new Error('variant: no NAT gateway was seeded');
      const id = String(attributesOf(applied, 'network', last).id);
      await clients.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: id }));
    },
  },
  // Every private route table sends its AZ's egress to the first AZ's NAT gateway.
  'network.private-route-own-az-nat': {
    workspace: 'network',
    patch: (rs) => {
      const nats = rs
        .filter((r) => r.type === 'aws_nat_gateway')
        .map((r) => r.address)
        .sort();
      const first = nats[0] ?? '';
      return patching(typed('aws_route'), (v) =>
        v.nat_gateway_id === undefined || v.nat_gateway_id === null
          ? v
          : { ...v, nat_gateway_id: `«ref:${first}#id»` },
      )(rs);
    },
  },
  'network.vpc-flow-logs': {
    workspace: 'network',
    moduleArgs: { vpc: { flow_logs_enabled: false } },
  },
  'network.default-sg-closed': {
    workspace: 'network',
    patch: (rs) => rs.filter((r) => r.type !== 'aws_default_security_group'),
  },
  // One NACL tagged with another AZ than its subnet's (what the AZ-outage experiment selects by).
  'network.nacl-per-az': {
    workspace: 'network',
    patch: (rs) => {
      const acls = rs
        .filter((r) => r.type === 'aws_network_acl')
        .sort((a, b) => (a.address < b.address ? -1 : 1));
      const zoneOf = (r: EvaluatedResource | undefined) =>
        (r?.values.tags as Record<string, string> | undefined)?.['stackproof.io/az'];
      const first = acls[0];
      const other = acls.map(zoneOf).find((z) => z !== zoneOf(first)) ?? 'elsewhere';
      return patching(is(first?.address ?? ''), (v) => ({
        ...v,
        tags: { ...(v.tags as Record<string, string>), 'stackproof.io/az': other },
      }))(rs);
    },
  },
  // Port 443 of the control plane's security group opened to the internet.
  'network.sg-open-ingress': {
    workspace: 'eks/prod1/infra',
    patch: patching(
      is('module.cluster.aws_vpc_security_group_ingress_rule.cluster_from_nodes'),
      (v) => {
        const { referenced_security_group_id: _dropped, ...rest } = v;
        return { ...rest, cidr_ipv4: '0.0.0.0/0' };
      },
    ),
  },
  'eks.private-endpoint': {
    workspace: 'eks/prod1/infra',
    vars: { public_access_cidrs: ['203.0.113.0/24'] },
  },
  'eks.secrets-encryption': {
    workspace: 'eks/prod1/infra',
    moduleArgs: { cluster: { secrets_encryption_enabled: false } },
  },
  'eks.control-plane-logs': {
    workspace: 'eks/prod1/infra',
    moduleArgs: { cluster: { enabled_log_types: ['api', 'audit'] } },
  },
  'eks.nodegroup-multi-az': {
    workspace: 'eks/prod1/infra',
    patch: patching(typed('aws_eks_node_group'), (v) => ({
      ...v,
      subnet_ids: (v.subnet_ids as string[]).slice(0, 1),
    })),
    alsoBreaks: {
      properties: ['autoscaling.multi-az'],
      why: "EKS builds the node group's Auto Scaling group over the node group's subnets: one cannot span fewer AZs without the other",
    },
  },
  'eks.nodegroup-min-size': { workspace: 'eks/prod1/infra', vars: { node_min_size: 1 } },
  'ec2.imdsv2-required': {
    workspace: 'eks/prod1/infra',
    moduleArgs: { cluster: { imds_http_tokens: 'optional' } },
  },
  'ec2.launch-template-encrypted-root': {
    workspace: 'eks/prod1/infra',
    moduleArgs: { cluster: { node_root_volume_encrypted: false } },
  },
  // The Auto Scaling group edited outside EKS to one subnet.
  'autoscaling.multi-az': {
    workspace: 'eks/prod1/infra',
    after: async (clients, _applied, nodeGroup) => {
      if (nodeGroup === undefined) throw new Error('variant: no node group was seeded');
      await clients.autoscaling.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: nodeGroup.autoScalingGroupName,
          VPCZoneIdentifier: nodeGroup.subnetIds[0],
        }),
      );
    },
  },
  'rds.multi-az': { workspace: 'rds', moduleArgs: { postgres: { multi_az: false } } },
  'rds.encrypted-cmk': { workspace: 'rds', moduleArgs: { postgres: { storage_encrypted: false } } },
  'rds.backup-retention': { workspace: 'rds', vars: { backup_retention_days: 3 } },
  'rds.deletion-protection': {
    workspace: 'rds',
    moduleArgs: { postgres: { deletion_protection: false } },
  },
  'rds.not-public': { workspace: 'rds', moduleArgs: { postgres: { publicly_accessible: true } } },
  'rds.iam-auth': {
    workspace: 'rds',
    moduleArgs: { postgres: { iam_database_authentication_enabled: false } },
  },
  'rds.force-ssl': { workspace: 'rds', moduleArgs: { postgres: { force_ssl: false } } },
  'rds.log-exports': { workspace: 'rds', moduleArgs: { postgres: { log_exports: ['upgrade'] } } },
  'rds.managed-master-password': {
    workspace: 'rds',
    patch: patching(typed('aws_db_instance'), (v) => ({
      ...v,
      manage_master_user_password: false,
      master_user_secret_kms_key_id: null,
    })),
  },
  // PostgreSQL also admitted from the whole VPC, not only from the nodes.
  'rds.sg-from-eks-nodes': {
    workspace: 'rds',
    patch: (rs) => {
      const rule = rs.find((r) => r.type === 'aws_vpc_security_group_ingress_rule');
      if (rule === undefined) return [...rs];
      const { referenced_security_group_id: _dropped, ...rest } = rule.values;
      return [
        ...rs,
        { ...rule, address: `${rule.address}-vpc`, values: { ...rest, cidr_ipv4: '10.0.0.0/8' } },
      ];
    },
  },
  'ecr.immutable-tags': {
    workspace: 'services/backend',
    moduleArgs: { service: { image_tag_mutability: 'MUTABLE' } },
  },
  'ecr.scan-on-push': {
    workspace: 'services/backend',
    moduleArgs: { service: { scan_on_push: false } },
  },
  'ecr.encryption-kms': {
    workspace: 'services/backend',
    patch: patching(typed('aws_ecr_repository'), (v) => ({
      ...v,
      encryption_configuration: [{ encryption_type: 'AES256' }],
    })),
  },
  // The backend's role given every secret, outside Terraform.
  'iam.service-role-scoped': {
    workspace: 'services/backend',
    after: async (clients, applied) => {
      const role = attributesOf(applied, 'services/backend', 'module.service.aws_iam_role.this');
      await clients.iam.send(
        new PutRolePolicyCommand({
          RoleName: String(role.name),
          PolicyName: 'read-every-secret',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
            ],
          }),
        }),
      );
    },
  },
};
