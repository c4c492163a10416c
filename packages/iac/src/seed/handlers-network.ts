import { CreateLogGroupCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateFlowLogsCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupsCommand,
  type IpPermission,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  ReplaceNetworkAclAssociationCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { ec2Tags, type ResourceHandler, type Values } from './handler.ts';

// The VPC of terraform/modules/vpc and the security groups of the other modules.

function tagSpec(type: string, tags: Readonly<Record<string, string>>) {
  return Object.keys(tags).length === 0
    ? []
    : [{ ResourceType: type as never, Tags: ec2Tags(tags) }];
}

export const vpc: ResourceHandler = async (v, { clients, region, account, tags }) => {
  const out = await clients.ec2.send(
    new CreateVpcCommand({
      CidrBlock: v.str('cidr_block'),
      TagSpecifications: tagSpec('vpc', tags),
    }),
  );
  const id = out.Vpc?.VpcId ?? '';
  for (const [arg, attribute] of [
    ['enable_dns_support', 'EnableDnsSupport'],
    ['enable_dns_hostnames', 'EnableDnsHostnames'],
  ] as const) {
    const on = v.bool(arg);
    if (on !== undefined) {
      await clients.ec2.send(
        new ModifyVpcAttributeCommand({ VpcId: id, [attribute]: { Value: on } }),
      );
    }
  }
  return {
    attributes: {
      id,
      arn: `arn:aws:ec2:${region}:${account}:vpc/${id}`,
      cidr_block: out.Vpc?.CidrBlock,
    },
  };
};

async function revokeAll(
  v: { clients: Parameters<ResourceHandler>[1]['clients'] },
  groupId: string,
): Promise<void> {
  const group = (
    await v.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))
  ).SecurityGroups?.[0];
  if ((group?.IpPermissions ?? []).length > 0) {
    await v.clients.ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: group?.IpPermissions,
      }),
    );
  }
  if ((group?.IpPermissionsEgress ?? []).length > 0) {
    await v.clients.ec2.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: groupId,
        IpPermissions: group?.IpPermissionsEgress,
      }),
    );
  }
}

/** Adopting the default security group with no rules removes its rules (as the provider does). */
export const defaultSecurityGroup: ResourceHandler = async (v, ctx) => {
  const groups = await ctx.clients.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [v.str('vpc_id')] },
        { Name: 'group-name', Values: ['default'] },
      ],
    }),
  );
  const id = groups.SecurityGroups?.[0]?.GroupId ?? '';
  await revokeAll(ctx, id);
  if (Object.keys(ctx.tags).length > 0) {
    await ctx.clients.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: ec2Tags(ctx.tags) }));
  }
  return {
    attributes: { id, arn: `arn:aws:ec2:${ctx.region}:${ctx.account}:security-group/${id}` },
  };
};

export const internetGateway: ResourceHandler = async (v, { clients, tags }) => {
  const out = await clients.ec2.send(
    new CreateInternetGatewayCommand({ TagSpecifications: tagSpec('internet-gateway', tags) }),
  );
  const id = out.InternetGateway?.InternetGatewayId ?? '';
  await clients.ec2.send(
    new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: v.str('vpc_id') }),
  );
  return { attributes: { id } };
};

export const subnet: ResourceHandler = async (v, { clients, region, account, tags }) => {
  const out = await clients.ec2.send(
    new CreateSubnetCommand({
      VpcId: v.str('vpc_id'),
      CidrBlock: v.str('cidr_block'),
      AvailabilityZone: v.str('availability_zone'),
      TagSpecifications: tagSpec('subnet', tags),
    }),
  );
  const id = out.Subnet?.SubnetId ?? '';
  if (v.bool('map_public_ip_on_launch') === true) {
    await clients.ec2.send(
      new ModifySubnetAttributeCommand({ SubnetId: id, MapPublicIpOnLaunch: { Value: true } }),
    );
  }
  return {
    attributes: {
      id,
      arn: `arn:aws:ec2:${region}:${account}:subnet/${id}`,
      availability_zone: out.Subnet?.AvailabilityZone,
    },
  };
};

export const eip: ResourceHandler = async (_v, { clients, tags }) => {
  const out = await clients.ec2.send(
    new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: tagSpec('elastic-ip', tags) }),
  );
  return {
    attributes: { id: out.AllocationId, allocation_id: out.AllocationId, public_ip: out.PublicIp },
  };
};

export const natGateway: ResourceHandler = async (v, { clients, tags }) => {
  const out = await clients.ec2.send(
    new CreateNatGatewayCommand({
      SubnetId: v.str('subnet_id'),
      AllocationId: v.str('allocation_id'),
      TagSpecifications: tagSpec('natgateway', tags),
    }),
  );
  return { attributes: { id: out.NatGateway?.NatGatewayId } };
};

export const routeTable: ResourceHandler = async (v, { clients, tags }) => {
  const out = await clients.ec2.send(
    new CreateRouteTableCommand({
      VpcId: v.str('vpc_id'),
      TagSpecifications: tagSpec('route-table', tags),
    }),
  );
  return { attributes: { id: out.RouteTable?.RouteTableId } };
};

export const route: ResourceHandler = async (v, { clients }) => {
  await clients.ec2.send(
    new CreateRouteCommand({
      RouteTableId: v.str('route_table_id'),
      DestinationCidrBlock: v.str('destination_cidr_block'),
      ...(v.has('gateway_id') ? { GatewayId: v.str('gateway_id') } : {}),
      ...(v.has('nat_gateway_id') ? { NatGatewayId: v.str('nat_gateway_id') } : {}),
    }),
  );
  return { attributes: { id: `r-${v.str('route_table_id')}${v.str('destination_cidr_block')}` } };
};

export const routeTableAssociation: ResourceHandler = async (v, { clients }) => {
  const out = await clients.ec2.send(
    new AssociateRouteTableCommand({
      RouteTableId: v.str('route_table_id'),
      SubnetId: v.str('subnet_id'),
    }),
  );
  return { attributes: { id: out.AssociationId } };
};

/** A NACL and the move of its subnets onto it (from the VPC default NACL they start on). */
export const networkAcl: ResourceHandler = async (v, { clients, tags }) => {
  const vpcId = v.str('vpc_id');
  const out = await clients.ec2.send(
    new CreateNetworkAclCommand({ VpcId: vpcId, TagSpecifications: tagSpec('network-acl', tags) }),
  );
  const id = out.NetworkAcl?.NetworkAclId ?? '';
  const subnets = v.strs('subnet_ids');
  if (subnets.length > 0) {
    // moto has no network-acl-id or association filter; read the VPC's NACLs and match here.
    const acls = (
      await clients.ec2.send(
        new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
      )
    ).NetworkAcls;
    for (const subnetId of subnets) {
      const association = acls
        ?.flatMap((a) => a.Associations ?? [])
        .find((a) => a.SubnetId === subnetId)?.NetworkAclAssociationId;
      if (association === undefined)
        throw new Error(`subnet ${subnetId} has no NACL association to replace`);
      await clients.ec2.send(
        new ReplaceNetworkAclAssociationCommand({ AssociationId: association, NetworkAclId: id }),
      );
    }
  }
  return { attributes: { id } };
};

export const networkAclRule: ResourceHandler = async (v, { clients }) => {
  await clients.ec2.send(
    new CreateNetworkAclEntryCommand({
      NetworkAclId: v.str('network_acl_id'),
      RuleNumber: v.num('rule_number'),
      Egress: v.bool('egress') === true,
      Protocol: v.str('protocol'),
      RuleAction: v.str('rule_action') === 'deny' ? 'deny' : 'allow',
      CidrBlock: v.str('cidr_block'),
      ...(v.has('from_port')
        ? { PortRange: { From: v.num('from_port'), To: v.num('to_port') } }
        : {}),
    }),
  );
  return { attributes: { id: `nacl-${v.num('rule_number')}` } };
};

export const logGroup: ResourceHandler = async (v, { clients, region, account, tags }) => {
  const name = v.str('name');
  await clients.logs.send(
    new CreateLogGroupCommand({
      logGroupName: name,
      ...(v.optStr('kms_key_id') !== undefined ? { kmsKeyId: v.str('kms_key_id') } : {}),
      tags: { ...tags },
    }),
  );
  const days = v.num('retention_in_days');
  if (days !== undefined) {
    await clients.logs.send(
      new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: days }),
    );
  }
  return {
    attributes: { id: name, name, arn: `arn:aws:logs:${region}:${account}:log-group:${name}` },
  };
};

export const flowLog: ResourceHandler = async (v, { clients, tags }) => {
  const out = await clients.ec2.send(
    new CreateFlowLogsCommand({
      ResourceIds: [v.str('vpc_id')],
      ResourceType: 'VPC',
      TrafficType: v.str('traffic_type') as 'ALL',
      LogDestinationType: (v.optStr('log_destination_type') ??
        'cloud-watch-logs') as 'cloud-watch-logs',
      LogDestination: v.str('log_destination'),
      ...(v.has('iam_role_arn') ? { DeliverLogsPermissionArn: v.str('iam_role_arn') } : {}),
      TagSpecifications: tagSpec('vpc-flow-log', tags),
    }),
  );
  return { attributes: { id: out.FlowLogIds?.[0] } };
};

/**
 * A security group. The provider removes the allow-all egress rule AWS adds to a new group, so
 * only the rules the configuration declares remain.
 */
export const securityGroup: ResourceHandler = async (v, ctx) => {
  const out = await ctx.clients.ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: v.str('name'),
      Description: v.optStr('description') ?? 'Managed by Terraform',
      VpcId: v.str('vpc_id'),
      TagSpecifications: tagSpec('security-group', ctx.tags),
    }),
  );
  const id = out.GroupId ?? '';
  await revokeAll(ctx, id);
  return {
    attributes: {
      id,
      arn: `arn:aws:ec2:${ctx.region}:${ctx.account}:security-group/${id}`,
      name: v.str('name'),
    },
  };
};

function permission(v: Values): IpPermission {
  const protocol = v.str('ip_protocol');
  return {
    IpProtocol: protocol,
    ...(protocol !== '-1' ? { FromPort: v.num('from_port'), ToPort: v.num('to_port') } : {}),
    ...(v.has('referenced_security_group_id')
      ? {
          UserIdGroupPairs: [
            {
              GroupId: v.str('referenced_security_group_id'),
              Description: v.optStr('description'),
            },
          ],
        }
      : {}),
    ...(v.has('cidr_ipv4')
      ? { IpRanges: [{ CidrIp: v.str('cidr_ipv4'), Description: v.optStr('description') }] }
      : {}),
    ...(v.has('cidr_ipv6')
      ? { Ipv6Ranges: [{ CidrIpv6: v.str('cidr_ipv6'), Description: v.optStr('description') }] }
      : {}),
  };
}

export const securityGroupIngressRule: ResourceHandler = async (v, { clients }) => {
  const out = await clients.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: v.str('security_group_id'),
      IpPermissions: [permission(v)],
    }),
  );
  return {
    attributes: {
      id: out.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? `sgr-${v.str('security_group_id')}`,
    },
  };
};

export const securityGroupEgressRule: ResourceHandler = async (v, { clients }) => {
  const out = await clients.ec2.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: v.str('security_group_id'),
      IpPermissions: [permission(v)],
    }),
  );
  return {
    attributes: {
      id: out.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? `sgr-${v.str('security_group_id')}`,
    },
  };
};
