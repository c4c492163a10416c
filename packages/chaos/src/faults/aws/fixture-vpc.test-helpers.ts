import {
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeNetworkAclsCommand,
  type EC2Client,
  ReplaceNetworkAclAssociationCommand,
} from '@aws-sdk/client-ec2';
import { DEFAULT_ZONES } from '@stackproof/core';

/** One subnet of the fixture, with the NACL it was given. */
export interface FixtureSubnet {
  readonly zone: string;
  readonly tier: 'public' | 'private' | 'database';
  readonly subnetId: string;
  readonly networkAclId: string;
}

export interface FixtureVpc {
  readonly vpcId: string;
  readonly subnets: readonly FixtureSubnet[];
}

const TIERS = ['public', 'private', 'database'] as const;

/**
 * Test fixture data, made with SDK calls: the network shape of terraform/modules/vpc (a public,
 * a private and a database subnet in each of the three zones, tagged stackproof.io/tier and
 * stackproof.io/az, each with its own allow-all NACL, rule 100 both ways). Not the stack itself:
 * the stack's account comes from terraform/aws (the sandbox's AWS state).
 */
export async function createFixtureVpc(
  ec2: EC2Client,
  cidrSecondOctet: number,
): Promise<FixtureVpc> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${cidrSecondOctet}.0.0/16` }));
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const subnets: FixtureSubnet[] = [];
  for (const [z, zone] of DEFAULT_ZONES.entries()) {
    for (const [t, tier] of TIERS.entries()) {
      const tags = [
        { Key: 'stackproof.io/tier', Value: tier },
        { Key: 'stackproof.io/az', Value: zone },
      ];
      const subnet = await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `10.${cidrSecondOctet}.${z * 10 + t}.0/24`,
          AvailabilityZone: zone,
          TagSpecifications: [{ ResourceType: 'subnet', Tags: tags }],
        }),
      );
      const subnetId = subnet.Subnet?.SubnetId ?? '';
      const acl = await ec2.send(
        new CreateNetworkAclCommand({
          VpcId: vpcId,
          TagSpecifications: [
            {
              ResourceType: 'network-acl',
              Tags: [...tags, { Key: 'stackproof.io/chaos-target', Value: 'true' }],
            },
          ],
        }),
      );
      const networkAclId = acl.NetworkAcl?.NetworkAclId ?? '';
      for (const egress of [false, true]) {
        await ec2.send(
          new CreateNetworkAclEntryCommand({
            NetworkAclId: networkAclId,
            RuleNumber: 100,
            Egress: egress,
            Protocol: '-1',
            RuleAction: 'allow',
            CidrBlock: '0.0.0.0/0',
          }),
        );
      }
      // A new subnet starts on the VPC's default NACL; move it to its own, as the module does.
      const current = await ec2.send(
        new DescribeNetworkAclsCommand({
          Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }],
        }),
      );
      const associationId = current.NetworkAcls?.[0]?.Associations?.find(
        (a) => a.SubnetId === subnetId,
      )?.NetworkAclAssociationId;
      await ec2.send(
        new ReplaceNetworkAclAssociationCommand({
          AssociationId: associationId,
          NetworkAclId: networkAclId,
        }),
      );
      subnets.push({ zone, tier, subnetId, networkAclId });
    }
  }
  return { vpcId, subnets };
}
