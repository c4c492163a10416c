import type { NetworkAcl, Subnet } from '@aws-sdk/client-ec2';
import {
  tagValue,
  vpcFlowLogs,
  vpcNatGateways,
  vpcNetworkAcls,
  vpcRouteTables,
  vpcSecurityGroups,
  vpcSubnets,
} from '../aws/ec2.ts';
import { type AwsSide, awsOf, defineCheck, type LiveContext, listText } from './check.ts';

/** The stack tags each subnet with its tier and AZ; the checks select by tag, never by id. */
export const TIER_TAG = 'stackproof.io/tier';
export const AZ_TAG = 'stackproof.io/az';

function vpcOf(context: LiveContext): string {
  return context.outputs.string(context.live.workspaces.network, 'vpc_id');
}

export function subnetsOf(aws: AwsSide, vpcId: string): Promise<Subnet[]> {
  return aws.once(`ec2.subnets:${vpcId}`, () => vpcSubnets(aws.clients.ec2, vpcId));
}

export function securityGroupsOf(aws: AwsSide, vpcId: string) {
  return aws.once(`ec2.security-groups:${vpcId}`, () => vpcSecurityGroups(aws.clients.ec2, vpcId));
}

function natGatewaysOf(aws: AwsSide, vpcId: string) {
  return aws.once(`ec2.nat-gateways:${vpcId}`, () => vpcNatGateways(aws.clients.ec2, vpcId));
}

function byTier(subnets: readonly Subnet[]): Map<string, Subnet[]> {
  const out = new Map<string, Subnet[]>();
  for (const subnet of subnets) {
    const tier = tagValue(subnet.Tags, TIER_TAG) ?? '(untagged)';
    out.set(tier, [...(out.get(tier) ?? []), subnet]);
  }
  return out;
}

function zonesOf(subnets: readonly Subnet[]): string[] {
  return [...new Set(subnets.map((s) => s.AvailabilityZone ?? '?'))].sort();
}

export const subnetsMultiAz = defineCheck('network.subnets-multi-az', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const vpcId = vpcOf(ctx);
  const tiers = byTier(await subnetsOf(aws, vpcId));
  for (const tier of ctx.live.tiers) {
    const subject = `${vpcId} ${tier} subnets`;
    const zones = zonesOf(tiers.get(tier) ?? []);
    v.judge(
      zones.length >= ctx.expectations.azCount,
      subject,
      `${(tiers.get(tier) ?? []).length} subnets tagged ${TIER_TAG}=${tier} in ${zones.length} AZs (${listText(zones)})`,
      `subnets of tier ${tier} in at least ${ctx.expectations.azCount} AZs`,
      { data: { tier, zones } },
    );
  }
});

export const natPerAz = defineCheck('network.nat-per-az', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const vpcId = vpcOf(ctx);
  const [subnets, nats] = await Promise.all([subnetsOf(aws, vpcId), natGatewaysOf(aws, vpcId)]);
  const zoneOfSubnet = new Map(subnets.map((s) => [s.SubnetId, s.AvailabilityZone ?? '?']));
  const privateZones = zonesOf(byTier(subnets).get('private') ?? []);
  const available = nats.filter((n) => n.State === 'available');
  const perZone: Record<string, string[]> = {};
  for (const nat of available) {
    const zone = zoneOfSubnet.get(nat.SubnetId) ?? '?';
    perZone[zone] = [...(perZone[zone] ?? []), nat.NatGatewayId ?? '?'];
  }
  const uncovered = privateZones.filter((z) => (perZone[z] ?? []).length === 0);
  const zonesWithNat = Object.keys(perZone).sort();
  v.judge(
    uncovered.length === 0 && zonesWithNat.length >= ctx.expectations.azCount,
    vpcId,
    `${available.length} available NAT gateways (of ${nats.length}) in ${listText(zonesWithNat)}; private subnets in ${listText(privateZones)}`,
    `an available NAT gateway in each AZ of the private subnets (at least ${ctx.expectations.azCount})${uncovered.length > 0 ? `; none in ${listText(uncovered)}` : ''}`,
    { data: { natGatewaysByZone: perZone, privateZones } },
  );
});

export const privateRouteOwnAzNat = defineCheck(
  'network.private-route-own-az-nat',
  'aws',
  async (ctx, v) => {
    const aws = awsOf(ctx);
    const vpcId = vpcOf(ctx);
    const [subnets, nats, tables] = await Promise.all([
      subnetsOf(aws, vpcId),
      natGatewaysOf(aws, vpcId),
      aws.once(`ec2.route-tables:${vpcId}`, () => vpcRouteTables(aws.clients.ec2, vpcId)),
    ]);
    const zoneOfSubnet = new Map(subnets.map((s) => [s.SubnetId, s.AvailabilityZone ?? '?']));
    const zoneOfNat = new Map(
      nats.map((n) => [n.NatGatewayId, zoneOfSubnet.get(n.SubnetId) ?? '?']),
    );
    const main = tables.find((t) => t.Associations?.some((a) => a.Main === true));
    const privates = byTier(subnets).get('private') ?? [];
    if (privates.length === 0) {
      v.fail(
        vpcId,
        `no subnet tagged ${TIER_TAG}=private`,
        'private subnets, each routed to the NAT of its AZ',
      );
      return;
    }
    for (const subnet of privates) {
      const table =
        tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnet.SubnetId)) ?? main;
      const route = table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
      const nat = route?.NatGatewayId;
      const natZone = nat === undefined ? undefined : zoneOfNat.get(nat);
      const subject = `${subnet.SubnetId} (${subnet.AvailabilityZone})`;
      const target = nat ?? route?.GatewayId ?? route?.TransitGatewayId ?? 'nothing';
      v.judge(
        nat !== undefined && natZone === subnet.AvailabilityZone,
        subject,
        `route table ${table?.RouteTableId ?? 'none'} sends 0.0.0.0/0 to ${target}${natZone !== undefined ? ` in ${natZone}` : ''}`,
        `0.0.0.0/0 to a NAT gateway in ${subnet.AvailabilityZone}`,
        { data: { routeTable: table?.RouteTableId ?? null, target, targetZone: natZone ?? null } },
      );
    }
  },
);

export const vpcFlowLogsOn = defineCheck('network.vpc-flow-logs', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const vpcId = vpcOf(ctx);
  const logs = await aws.once(`ec2.flow-logs:${vpcId}`, () => vpcFlowLogs(aws.clients.ec2, vpcId));
  const all = logs.filter((l) => l.TrafficType === 'ALL' && l.FlowLogStatus === 'ACTIVE');
  v.judge(
    all.length > 0,
    vpcId,
    logs.length === 0
      ? 'no flow log on the VPC'
      : `flow logs: ${logs.map((l) => `${l.FlowLogId} ${l.TrafficType} ${l.FlowLogStatus} → ${l.LogDestinationType ?? 'cloud-watch-logs'}`).join('; ')}`,
    'an active flow log of ALL traffic on the VPC',
  );
});

export const defaultSgClosed = defineCheck('network.default-sg-closed', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const vpcId = vpcOf(ctx);
  const groups = await securityGroupsOf(aws, vpcId);
  const def = groups.find((g) => g.GroupName === 'default');
  if (def === undefined) {
    v.fail(
      vpcId,
      'no default security group found in the VPC',
      'the default security group, with no rules',
    );
    return;
  }
  const ingress = def.IpPermissions?.length ?? 0;
  const egress = def.IpPermissionsEgress?.length ?? 0;
  v.judge(
    ingress === 0 && egress === 0,
    `${def.GroupId} (default, ${vpcId})`,
    `${ingress} ingress and ${egress} egress rules`,
    'no ingress and no egress rule',
  );
});

export const sgOpenIngress = defineCheck('network.sg-open-ingress', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const vpcId = vpcOf(ctx);
  const groups = await securityGroupsOf(aws, vpcId);
  for (const group of groups) {
    const open = (group.IpPermissions ?? []).filter(
      (p) =>
        p.IpRanges?.some((r) => r.CidrIp === '0.0.0.0/0') ||
        p.Ipv6Ranges?.some((r) => r.CidrIpv6 === '::/0'),
    );
    const ports = open.map((p) =>
      p.IpProtocol === '-1' ? 'all traffic' : `${p.IpProtocol} ${p.FromPort}-${p.ToPort}`,
    );
    v.judge(
      open.length === 0,
      `${group.GroupId} (${group.GroupName})`,
      open.length === 0
        ? `${group.IpPermissions?.length ?? 0} ingress rules, none from 0.0.0.0/0 or ::/0`
        : `admits the internet on ${listText(ports)}`,
      'no ingress rule from 0.0.0.0/0 or ::/0',
    );
  }
});

export const naclPerAz = defineCheck('network.nacl-per-az', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const vpcId = vpcOf(ctx);
  const [subnets, acls] = await Promise.all([
    subnetsOf(aws, vpcId),
    aws.once(`ec2.network-acls:${vpcId}`, () => vpcNetworkAcls(aws.clients.ec2, vpcId)),
  ]);
  const aclOf = new Map<string, NetworkAcl>();
  for (const acl of acls) {
    for (const association of acl.Associations ?? []) {
      if (association.SubnetId !== undefined) aclOf.set(association.SubnetId, acl);
    }
  }
  for (const subnet of subnets) {
    const tier = tagValue(subnet.Tags, TIER_TAG);
    const zone = subnet.AvailabilityZone;
    const acl = aclOf.get(subnet.SubnetId ?? '');
    const subject = `${subnet.SubnetId} (${tier ?? 'untagged'}, ${zone})`;
    if (acl === undefined) {
      v.fail(
        subject,
        'not associated with any NACL',
        `a NACL of its own tagged ${TIER_TAG}=${tier} ${AZ_TAG}=${zone}`,
      );
      continue;
    }
    const shared = (acl.Associations ?? []).filter((a) => a.SubnetId !== undefined).length;
    const aclTier = tagValue(acl.Tags, TIER_TAG);
    const aclZone = tagValue(acl.Tags, AZ_TAG);
    const problems = [
      ...(acl.IsDefault === true ? ['it is the VPC default NACL'] : []),
      ...(shared > 1 ? [`it serves ${shared} subnets`] : []),
      ...(aclTier !== tier ? [`its ${TIER_TAG} is ${aclTier ?? 'missing'}`] : []),
      ...(aclZone !== zone ? [`its ${AZ_TAG} is ${aclZone ?? 'missing'}`] : []),
    ];
    v.judge(
      problems.length === 0,
      subject,
      problems.length === 0
        ? `${acl.NetworkAclId}, its own, tagged ${TIER_TAG}=${aclTier} ${AZ_TAG}=${aclZone}`
        : `${acl.NetworkAclId}: ${problems.join('; ')}`,
      `a NACL of its own tagged ${TIER_TAG}=${tier} ${AZ_TAG}=${zone}`,
    );
  }
});

export const NETWORK_CHECKS = [
  subnetsMultiAz,
  natPerAz,
  privateRouteOwnAzNat,
  vpcFlowLogsOn,
  defaultSgClosed,
  sgOpenIngress,
  naclPerAz,
];
