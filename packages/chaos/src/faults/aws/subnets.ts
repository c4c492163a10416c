import {
  type EC2Client,
  type Filter,
  type NetworkAcl,
  paginateDescribeNetworkAcls,
  paginateDescribeSubnets,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { FaultTargetError } from '../fault.ts';

/** Tag terraform/modules/vpc puts on every subnet and NACL: `public`, `private` or `database`. */
export const TIER_TAG = 'stackproof.io/tier';

/** Which subnets an AZ fault acts on. */
export interface AzSubnetsTarget {
  readonly vpcId: string;
  readonly availabilityZone: string;
  /** Only subnets whose stackproof.io/tier tag is one of these (default: every subnet in the AZ). */
  readonly tiers?: readonly string[];
}

/** A subnet and the NACL it is associated with right now. */
export interface SubnetAclAssociation {
  readonly subnetId: string;
  readonly tier: string | undefined;
  readonly networkAclId: string;
  readonly associationId: string;
}

/** `VPC vpc-0abc in me-central-1a`, with the tier selection when there is one. */
export function describeTarget(target: AzSubnetsTarget): string {
  const tiers =
    target.tiers === undefined ? '' : ` with ${TIER_TAG} in [${target.tiers.join(', ')}]`;
  return `VPC ${target.vpcId} in ${target.availabilityZone}${tiers}`;
}

export async function describeSubnets(ec2: EC2Client, filters: Filter[]): Promise<Subnet[]> {
  const subnets: Subnet[] = [];
  for await (const page of paginateDescribeSubnets({ client: ec2 }, { Filters: filters })) {
    subnets.push(...(page.Subnets ?? []));
  }
  return subnets;
}

export async function describeNetworkAcls(
  ec2: EC2Client,
  filters: Filter[],
): Promise<NetworkAcl[]> {
  const acls: NetworkAcl[] = [];
  for await (const page of paginateDescribeNetworkAcls({ client: ec2 }, { Filters: filters })) {
    acls.push(...(page.NetworkAcls ?? []));
  }
  return acls;
}

/**
 * The target's subnets with their current NACL association. The VPC is required: moto (like a
 * real account) has a default VPC with a subnet in every AZ, which a fault must never touch.
 * Throws FaultTargetError when the selection is empty — failing an AZ that has nothing to fail
 * is a mistake in the experiment, not a no-op.
 */
export async function selectAzSubnets(
  ec2: EC2Client,
  fault: string,
  target: AzSubnetsTarget,
): Promise<{ subnets: SubnetAclAssociation[]; acls: NetworkAcl[] }> {
  const filters: Filter[] = [
    { Name: 'vpc-id', Values: [target.vpcId] },
    { Name: 'availability-zone', Values: [target.availabilityZone] },
  ];
  if (target.tiers !== undefined)
    filters.push({ Name: `tag:${TIER_TAG}`, Values: [...target.tiers] });
  const found = await describeSubnets(ec2, filters);
  if (found.length === 0) {
    throw new FaultTargetError(fault, `there are no subnets of ${describeTarget(target)}`);
  }
  const acls = await describeNetworkAcls(ec2, [{ Name: 'vpc-id', Values: [target.vpcId] }]);
  const subnets = found.map((subnet): SubnetAclAssociation => {
    const subnetId = subnet.SubnetId ?? '';
    for (const acl of acls) {
      const association = acl.Associations?.find((a) => a.SubnetId === subnetId);
      if (association?.NetworkAclAssociationId !== undefined && acl.NetworkAclId !== undefined) {
        return {
          subnetId,
          tier: subnet.Tags?.find((t) => t.Key === TIER_TAG)?.Value,
          networkAclId: acl.NetworkAclId,
          associationId: association.NetworkAclAssociationId,
        };
      }
    }
    // Every subnet is associated with exactly one NACL (the VPC's default unless told otherwise).
    throw new FaultTargetError(fault, `subnet ${subnetId} has no network ACL association`);
  });
  return { subnets: subnets.sort((a, b) => a.subnetId.localeCompare(b.subnetId)), acls };
}
