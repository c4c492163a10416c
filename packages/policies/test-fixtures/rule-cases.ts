/**
 * One passing and one failing case per rule: small plans built from the resources each case is
 * about, or Kubernetes objects. rule-cases.test.ts evaluates every case through the whole TS
 * pipeline (file → loader → wasm bundle → findings) and fails when a rule of the bundle has no
 * case here. A failing case is its passing case with the one property broken.
 */
import type { ResourceSpec } from './plan-builder.ts';

type K8sObject = Record<string, unknown>;

export type RuleCase =
  | {
      readonly target: 'terraform';
      readonly pass: readonly ResourceSpec[];
      readonly fail: readonly ResourceSpec[];
    }
  | {
      readonly target: 'kubernetes';
      readonly pass: readonly K8sObject[];
      readonly fail: readonly K8sObject[];
    };

const AZS = ['me-central-1a', 'me-central-1b', 'me-central-1c'] as const;
const KEY = 'arn:aws:kms:me-central-1:111122223333:key/00000000-0000-0000-0000-000000000001';

function tf(pass: readonly ResourceSpec[], fail: readonly ResourceSpec[]): RuleCase {
  return { target: 'terraform', pass, fail };
}

function one(
  type: string,
  after: Record<string, unknown>,
  broken: Record<string, unknown>,
): RuleCase {
  return tf(
    [{ type, name: 'this', after }],
    [{ type, name: 'this', after: { ...after, ...broken } }],
  );
}

/** Subnets of one tier, one per AZ given, with known ids `subnet-<tier>-<az letter>`. */
function subnets(tier: string, azs: readonly string[]): ResourceSpec[] {
  return azs.map((az, index) => ({
    type: 'aws_subnet',
    name: tier,
    index,
    after: { id: subnetId(tier, az), availability_zone: az, vpc_id: 'vpc-1', tags: { Tier: tier } },
  }));
}
function subnetId(tier: string, az: string): string {
  return `subnet-${tier}-${az.slice(-1)}`;
}
const privateIds = (azs: readonly string[]) => azs.map((az) => subnetId('private', az));

const DB: Record<string, unknown> = {
  identifier: 'main',
  engine: 'postgres',
  multi_az: true,
  deletion_protection: true,
  backup_retention_period: 7,
  storage_encrypted: true,
  kms_key_id: KEY,
  publicly_accessible: false,
  iam_database_authentication_enabled: true,
  parameter_group_name: 'pg-tls',
  performance_insights_enabled: true,
  performance_insights_kms_key_id: KEY,
  enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
  monitoring_interval: 15,
  manage_master_user_password: true,
  master_user_secret_kms_key_id: KEY,
};
const parameterGroup = (value: string): ResourceSpec => ({
  type: 'aws_db_parameter_group',
  name: 'tls',
  after: {
    id: 'pg-tls',
    name: 'pg-tls',
    family: 'postgres16',
    parameter: [{ name: 'rds.force_ssl', value }],
  },
});
function db(broken: Record<string, unknown>): RuleCase {
  return tf(
    [{ type: 'aws_db_instance', name: 'this', after: DB }, parameterGroup('1')],
    [{ type: 'aws_db_instance', name: 'this', after: { ...DB, ...broken } }, parameterGroup('1')],
  );
}

const CLUSTER: Record<string, unknown> = {
  name: 'prod1',
  vpc_config: [
    { endpoint_public_access: false, endpoint_private_access: true, subnet_ids: privateIds(AZS) },
  ],
  encryption_config: [{ resources: ['secrets'], provider: [{ key_arn: KEY }] }],
  enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
  access_config: [
    { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false },
  ],
};

const NODE_GROUP = (ids: readonly string[], minSize: number): ResourceSpec => ({
  type: 'aws_eks_node_group',
  name: 'default',
  after: {
    cluster_name: 'prod1',
    subnet_ids: ids,
    scaling_config: [{ min_size: minSize, max_size: 6, desired_size: 3 }],
  },
});

const natGateway = (az: string): ResourceSpec => ({
  type: 'aws_nat_gateway',
  name: 'this',
  index: AZS.indexOf(az as (typeof AZS)[number]),
  after: {
    id: `nat-${az.slice(-1)}`,
    subnet_id: subnetId('public', az),
    connectivity_type: 'public',
  },
});
const NETWORK = [...subnets('private', AZS), ...subnets('public', AZS)];

const routeTable = (natAz: string): ResourceSpec[] => [
  {
    type: 'aws_route_table',
    name: 'private',
    after: {
      id: 'rtb-a',
      vpc_id: 'vpc-1',
      route: [{ cidr_block: '0.0.0.0/0', nat_gateway_id: `nat-${natAz.slice(-1)}` }],
    },
  },
  {
    type: 'aws_route_table_association',
    name: 'private',
    after: { route_table_id: 'rtb-a', subnet_id: subnetId('private', AZS[0]) },
  },
];

const BUCKET: ResourceSpec = {
  type: 'aws_s3_bucket',
  name: 'state',
  after: { bucket: 'tf-state', force_destroy: false },
};
function bucketCase(
  type: string,
  good: Record<string, unknown>,
  bad: Record<string, unknown>,
): RuleCase {
  return tf(
    [BUCKET, { type, name: 'state', after: { bucket: 'tf-state', ...good } }],
    [BUCKET, { type, name: 'state', after: { bucket: 'tf-state', ...bad } }],
  );
}
const tlsPolicy = (effect: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: effect,
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::tf-state', 'arn:aws:s3:::tf-state/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });

const ingress = (port: number, cidr: string) => ({
  from_port: port,
  to_port: port,
  protocol: 'tcp',
  cidr_blocks: [cidr],
  ipv6_cidr_blocks: [],
  description: 'x',
  self: false,
  security_groups: [],
  prefix_list_ids: [],
});

const CONTAINER = {
  name: 'app',
  image: 'registry.example/app:1.4.2',
  readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
  livenessProbe: { httpGet: { path: '/live', port: 8080 } },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  securityContext: {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
};
const LABELS = { 'app.kubernetes.io/name': 'web' };
const spread = (key: string) => ({
  maxSkew: 1,
  topologyKey: key,
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: LABELS },
});
function deployment(
  change: {
    replicas?: number;
    container?: Record<string, unknown>;
    spread?: readonly string[];
  } = {},
): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: LABELS },
    spec: {
      replicas: change.replicas ?? 3,
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          topologySpreadConstraints: (
            change.spread ?? ['topology.kubernetes.io/zone', 'kubernetes.io/hostname']
          ).map(spread),
          containers: [{ ...CONTAINER, ...change.container }],
        },
      },
    },
  };
}
const pdb = (spec: Record<string, unknown>): K8sObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { selector: { matchLabels: LABELS }, ...spec },
});
const hpa = (minReplicas: number, maxReplicas: number): K8sObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas,
    maxReplicas,
  },
});
const networkPolicy = (spec: Record<string, unknown>): K8sObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny', namespace: 'shop' },
  spec,
});
function k8s(broken: Parameters<typeof deployment>[0]): RuleCase {
  return { target: 'kubernetes', pass: [deployment()], fail: [deployment(broken)] };
}

export const RULE_CASES: Readonly<Record<string, RuleCase>> = {
  'ec2.imdsv2-required': one(
    'aws_launch_template',
    {
      name: 'nodes',
      metadata_options: [{ http_tokens: 'required', http_put_response_hop_limit: 1 }],
    },
    { metadata_options: [{ http_tokens: 'optional', http_put_response_hop_limit: 1 }] },
  ),
  'ec2.launch-template-encrypted-root': one(
    'aws_launch_template',
    {
      name: 'nodes',
      block_device_mappings: [
        { device_name: '/dev/xvda', ebs: [{ encrypted: 'true', volume_size: 50 }] },
      ],
    },
    {
      block_device_mappings: [
        { device_name: '/dev/xvda', ebs: [{ encrypted: 'false', volume_size: 50 }] },
      ],
    },
  ),
  'dynamodb.pitr': one(
    'aws_dynamodb_table',
    { name: 'locks', point_in_time_recovery: [{ enabled: true }] },
    { point_in_time_recovery: [{ enabled: false }] },
  ),
  'dynamodb.encryption': one(
    'aws_dynamodb_table',
    { name: 'locks', server_side_encryption: [{ enabled: true, kms_key_arn: KEY }] },
    { server_side_encryption: [{ enabled: false }] },
  ),
  'elb.multi-az': tf(
    [
      ...subnets('public', AZS),
      {
        type: 'aws_lb',
        name: 'this',
        after: { internal: false, subnets: AZS.map((az) => subnetId('public', az)) },
      },
    ],
    [
      ...subnets('public', AZS),
      {
        type: 'aws_lb',
        name: 'this',
        after: { internal: false, subnets: [subnetId('public', AZS[0])] },
      },
    ],
  ),
  'network.subnets-multi-az': tf(subnets('private', AZS), subnets('private', AZS.slice(0, 2))),
  'network.nat-per-az': tf([...NETWORK, ...AZS.map(natGateway)], [...NETWORK, natGateway(AZS[0])]),
  'network.private-route-own-az-nat': tf(
    [...NETWORK, ...AZS.map(natGateway), ...routeTable(AZS[0])],
    [...NETWORK, ...AZS.map(natGateway), ...routeTable(AZS[1])],
  ),
  'network.vpc-flow-logs': tf(
    [
      { type: 'aws_vpc', name: 'this', after: { id: 'vpc-1', cidr_block: '10.0.0.0/16' } },
      { type: 'aws_flow_log', name: 'this', after: { vpc_id: 'vpc-1', traffic_type: 'ALL' } },
    ],
    [{ type: 'aws_vpc', name: 'this', after: { id: 'vpc-1', cidr_block: '10.0.0.0/16' } }],
  ),
  'network.default-sg-closed': one(
    'aws_default_security_group',
    { vpc_id: 'vpc-1', ingress: [], egress: [] },
    { ingress: [{ ...ingress(0, '10.0.0.0/8'), protocol: '-1', to_port: 0 }] },
  ),
  'network.sg-open-ingress': one(
    'aws_security_group',
    { name: 'web', ingress: [ingress(443, '0.0.0.0/0'), ingress(22, '10.0.0.0/8')], egress: [] },
    { ingress: [ingress(443, '0.0.0.0/0'), ingress(22, '0.0.0.0/0')] },
  ),
  'ecr.immutable-tags': one(
    'aws_ecr_repository',
    { name: 'app', image_tag_mutability: 'IMMUTABLE' },
    { image_tag_mutability: 'MUTABLE' },
  ),
  'ecr.scan-on-push': one(
    'aws_ecr_repository',
    { name: 'app', image_scanning_configuration: [{ scan_on_push: true }] },
    { image_scanning_configuration: [{ scan_on_push: false }] },
  ),
  'ecr.encryption-kms': one(
    'aws_ecr_repository',
    { name: 'app', encryption_configuration: [{ encryption_type: 'KMS', kms_key: KEY }] },
    { encryption_configuration: [{ encryption_type: 'AES256', kms_key: '' }] },
  ),
  'kms.rotation': one(
    'aws_kms_key',
    { description: 'rds', enable_key_rotation: true },
    { enable_key_rotation: false },
  ),
  'rds.multi-az': db({ multi_az: false }),
  'rds.deletion-protection': db({ deletion_protection: false }),
  'rds.backup-retention': db({ backup_retention_period: 1 }),
  'rds.encrypted-cmk': db({ kms_key_id: '' }),
  'rds.not-public': db({ publicly_accessible: true }),
  'rds.iam-auth': db({ iam_database_authentication_enabled: false }),
  'rds.force-ssl': tf(
    [{ type: 'aws_db_instance', name: 'this', after: DB }, parameterGroup('1')],
    [{ type: 'aws_db_instance', name: 'this', after: DB }, parameterGroup('0')],
  ),
  'rds.performance-insights-encrypted': db({ performance_insights_kms_key_id: '' }),
  'rds.log-exports': db({ enabled_cloudwatch_logs_exports: ['upgrade'] }),
  'rds.enhanced-monitoring': db({ monitoring_interval: 60 }),
  'rds.managed-master-password': db({ manage_master_user_password: false }),
  'eks.private-endpoint': one('aws_eks_cluster', CLUSTER, {
    vpc_config: [
      {
        endpoint_public_access: true,
        endpoint_private_access: true,
        public_access_cidrs: ['0.0.0.0/0'],
      },
    ],
  }),
  'eks.secrets-encryption': one('aws_eks_cluster', CLUSTER, { encryption_config: [] }),
  'eks.control-plane-logs': one('aws_eks_cluster', CLUSTER, { enabled_cluster_log_types: ['api'] }),
  'eks.access-entries': one('aws_eks_cluster', CLUSTER, {
    access_config: [
      { authentication_mode: 'CONFIG_MAP', bootstrap_cluster_creator_admin_permissions: true },
    ],
  }),
  'eks.nodegroup-multi-az': tf(
    [...subnets('private', AZS), NODE_GROUP(privateIds(AZS), 3)],
    [...subnets('private', AZS), NODE_GROUP(privateIds(AZS.slice(0, 1)), 3)],
  ),
  'eks.nodegroup-min-size': tf(
    [...subnets('private', AZS), NODE_GROUP(privateIds(AZS), 3)],
    [...subnets('private', AZS), NODE_GROUP(privateIds(AZS), 1)],
  ),
  'autoscaling.multi-az': tf(
    [
      ...subnets('private', AZS),
      {
        type: 'aws_autoscaling_group',
        name: 'this',
        after: { min_size: 3, max_size: 6, vpc_zone_identifier: privateIds(AZS) },
      },
    ],
    [
      ...subnets('private', AZS),
      {
        type: 'aws_autoscaling_group',
        name: 'this',
        after: { min_size: 3, max_size: 6, vpc_zone_identifier: privateIds(AZS.slice(0, 1)) },
      },
    ],
  ),
  's3.versioning': bucketCase(
    'aws_s3_bucket_versioning',
    { versioning_configuration: [{ status: 'Enabled' }] },
    { versioning_configuration: [{ status: 'Suspended' }] },
  ),
  's3.encryption-kms': bucketCase(
    'aws_s3_bucket_server_side_encryption_configuration',
    {
      rule: [
        {
          apply_server_side_encryption_by_default: [
            { sse_algorithm: 'aws:kms', kms_master_key_id: KEY },
          ],
        },
      ],
    },
    { rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'AES256' }] }] },
  ),
  's3.public-access-block': bucketCase(
    'aws_s3_bucket_public_access_block',
    {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    },
    {
      block_public_acls: true,
      block_public_policy: false,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    },
  ),
  's3.tls-only': bucketCase(
    'aws_s3_bucket_policy',
    { policy: tlsPolicy('Deny') },
    { policy: tlsPolicy('Allow') },
  ),
  's3.access-logging': bucketCase(
    'aws_s3_bucket_logging',
    { target_bucket: 'tf-logs' },
    { target_bucket: '' },
  ),
  'k8s.replicas-min': k8s({ replicas: 1 }),
  'k8s.topology-spread-zone': k8s({ spread: ['kubernetes.io/hostname'] }),
  'k8s.probes': k8s({ container: { livenessProbe: undefined } }),
  'k8s.resource-requests': k8s({ container: { resources: { limits: { memory: '256Mi' } } } }),
  'k8s.resource-limits': k8s({
    container: { resources: { requests: { cpu: '100m', memory: '128Mi' } } },
  }),
  'k8s.security-context': k8s({
    container: {
      securityContext: { ...CONTAINER.securityContext, allowPrivilegeEscalation: true },
    },
  }),
  'k8s.pdb-allows-disruption': {
    target: 'kubernetes',
    pass: [deployment(), pdb({ maxUnavailable: 1 })],
    fail: [deployment(), pdb({ minAvailable: 3 })],
  },
  'k8s.hpa-replicas': {
    target: 'kubernetes',
    pass: [deployment(), hpa(2, 6)],
    fail: [deployment(), hpa(3, 3)],
  },
  'k8s.default-deny-netpol': {
    target: 'kubernetes',
    pass: [deployment(), networkPolicy({ podSelector: {}, policyTypes: ['Ingress'] })],
    fail: [
      deployment(),
      networkPolicy({
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: {} }] }],
      }),
    ],
  },
  'k8s.image-pinned': k8s({ container: { image: 'registry.example/app:latest' } }),
};
