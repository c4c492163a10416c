import {
  type EC2Client,
  type FlowLog,
  type Instance,
  type NatGateway,
  type NetworkAcl,
  paginateDescribeFlowLogs,
  paginateDescribeInstances,
  paginateDescribeNatGateways,
  paginateDescribeNetworkAcls,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVolumes,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type Tag,
  type Volume,
} from '@aws-sdk/client-ec2';

// Thin reads of EC2: one paginated call per question, filtered server-side by VPC. Every function
// takes the client, so callers decide credentials, region and endpoint.

/** The IAM actions these reads need (the test:infra policy must allow them). */
export const EC2_ACTIONS = [
  'ec2:DescribeSubnets',
  'ec2:DescribeNatGateways',
  'ec2:DescribeRouteTables',
  'ec2:DescribeFlowLogs',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeInstances',
  'ec2:DescribeVolumes',
] as const;

const PAGE = { pageSize: 1000 } as const;

async function collect<P, T>(
  pages: AsyncIterable<P>,
  pick: (page: P) => T[] | undefined,
): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(pick(page) ?? []));
  return out;
}

export function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

export function vpcSubnets(ec2: EC2Client, vpcId: string): Promise<Subnet[]> {
  return collect(
    paginateDescribeSubnets(
      { client: ec2, ...PAGE },
      { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] },
    ),
    (p) => p.Subnets,
  );
}

export function vpcNatGateways(ec2: EC2Client, vpcId: string): Promise<NatGateway[]> {
  return collect(
    paginateDescribeNatGateways(
      { client: ec2, ...PAGE },
      { Filter: [{ Name: 'vpc-id', Values: [vpcId] }] },
    ),
    (p) => p.NatGateways,
  );
}

export function vpcRouteTables(ec2: EC2Client, vpcId: string): Promise<RouteTable[]> {
  return collect(
    paginateDescribeRouteTables(
      { client: ec2, pageSize: 100 },
      { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] },
    ),
    (p) => p.RouteTables,
  );
}

export function vpcFlowLogs(ec2: EC2Client, vpcId: string): Promise<FlowLog[]> {
  return collect(
    paginateDescribeFlowLogs(
      { client: ec2, pageSize: 1000 },
      { Filter: [{ Name: 'resource-id', Values: [vpcId] }] },
    ),
    (p) => p.FlowLogs,
  );
}

export function vpcSecurityGroups(ec2: EC2Client, vpcId: string): Promise<SecurityGroup[]> {
  return collect(
    paginateDescribeSecurityGroups(
      { client: ec2, ...PAGE },
      { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] },
    ),
    (p) => p.SecurityGroups,
  );
}

export function vpcNetworkAcls(ec2: EC2Client, vpcId: string): Promise<NetworkAcl[]> {
  return collect(
    paginateDescribeNetworkAcls(
      { client: ec2, ...PAGE },
      { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] },
    ),
    (p) => p.NetworkAcls,
  );
}

/** Instances carrying every tag given (EKS tags its nodes with cluster and node group). */
export function taggedInstances(
  ec2: EC2Client,
  tags: Readonly<Record<string, string>>,
): Promise<Instance[]> {
  return collect(
    paginateDescribeInstances(
      { client: ec2, ...PAGE },
      {
        Filters: [
          ...Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })),
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
      },
    ),
    (p) => p.Reservations?.flatMap((r) => r.Instances ?? []),
  );
}

export function instanceVolumes(ec2: EC2Client, instanceIds: readonly string[]): Promise<Volume[]> {
  if (instanceIds.length === 0) return Promise.resolve([]);
  return collect(
    paginateDescribeVolumes(
      { client: ec2, ...PAGE },
      { Filters: [{ Name: 'attachment.instance-id', Values: [...instanceIds] }] },
    ),
    (p) => p.Volumes,
  );
}
