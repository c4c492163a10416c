import {
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  type EC2Client,
  type NetworkAclEntry,
} from '@aws-sdk/client-ec2';
import { type Fault, FaultConflictError, type ResidueItem } from '../fault.ts';
import {
  type AzSubnetsTarget,
  describeNetworkAcls,
  describeTarget,
  selectAzSubnets,
} from './subnets.ts';

export const AZ_BLACKHOLE_FAULT = 'aws.az-nacl-blackhole';

/**
 * Rule number of the deny entries. terraform/modules/vpc numbers its allow rules 100 and leaves
 * 1-99 to the chaos experiments; the lowest number is evaluated first.
 */
export const DEFAULT_BLACKHOLE_RULE_NUMBER = 1;

export interface AzBlackholeTarget extends AzSubnetsTarget {
  readonly ruleNumber?: number;
}

/** What the blackhole changes (plan) or changed (inject): JSON, for the journal. */
export type AzBlackholeRecord = {
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly ruleNumber: number;
  /** The NACLs that get a deny-all entry in each direction (removed again on rollback). */
  readonly networkAclIds: readonly string[];
  readonly subnetIds: readonly string[];
};

const ALL_TRAFFIC = { Protocol: '-1', CidrBlock: '0.0.0.0/0', RuleAction: 'deny' as const };

function isOurEntry(entry: NetworkAclEntry, ruleNumber: number, egress: boolean): boolean {
  return (
    entry.RuleNumber === ruleNumber &&
    entry.Egress === egress &&
    entry.RuleAction === 'deny' &&
    entry.CidrBlock === ALL_TRAFFIC.CidrBlock &&
    entry.Protocol === ALL_TRAFFIC.Protocol
  );
}

/**
 * Refuses (FaultConflictError) when a NACL of the zone also serves subnets outside the
 * selection — a deny rule there would take them down too, as on the VPC's default NACL — or when
 * the rule number is already taken.
 */
async function planBlackhole(
  ec2: EC2Client,
  target: AzBlackholeTarget,
): Promise<AzBlackholeRecord> {
  const ruleNumber = target.ruleNumber ?? DEFAULT_BLACKHOLE_RULE_NUMBER;
  const { subnets, acls } = await selectAzSubnets(ec2, AZ_BLACKHOLE_FAULT, target);
  const selected = new Set(subnets.map((s) => s.subnetId));
  const aclIds = [...new Set(subnets.map((s) => s.networkAclId))].sort();
  for (const aclId of aclIds) {
    const acl = acls.find((a) => a.NetworkAclId === aclId);
    const others = (acl?.Associations ?? [])
      .map((a) => a.SubnetId ?? '')
      .filter((id) => !selected.has(id));
    if (others.length > 0) {
      throw new FaultConflictError(
        AZ_BLACKHOLE_FAULT,
        `NACL ${aclId} also serves ${others.join(', ')} outside the selection; a deny rule on it ` +
          'would cut those off too (give each zone its own NACLs, as terraform/modules/vpc does)',
      );
    }
    const taken = (acl?.Entries ?? []).filter((e) => e.RuleNumber === ruleNumber);
    if (taken.length > 0) {
      throw new FaultConflictError(
        AZ_BLACKHOLE_FAULT,
        `NACL ${aclId} already has rule ${ruleNumber}; pick a free ruleNumber (1-99) or roll back the fault that added it`,
      );
    }
  }
  return {
    vpcId: target.vpcId,
    availabilityZone: target.availabilityZone,
    ruleNumber,
    networkAclIds: aclIds,
    subnetIds: [...selected].sort(),
  };
}

/** Deletes the deny entries a blackhole added, where they are still present. */
async function rollbackBlackhole(ec2: EC2Client, record: AzBlackholeRecord): Promise<void> {
  const acls = await describeNetworkAcls(ec2, [{ Name: 'vpc-id', Values: [record.vpcId] }]);
  for (const aclId of record.networkAclIds) {
    const entries = acls.find((a) => a.NetworkAclId === aclId)?.Entries ?? [];
    for (const egress of [false, true]) {
      // Only an entry that is still our deny-all is removed: whatever else holds that number now
      // was put there by someone else.
      if (!entries.some((e) => isOurEntry(e, record.ruleNumber, egress))) continue;
      await ec2.send(
        new DeleteNetworkAclEntryCommand({
          NetworkAclId: aclId,
          RuleNumber: record.ruleNumber,
          Egress: egress,
        }),
      );
    }
  }
}

/**
 * An AZ outage on the network: a deny-all entry (both directions, before the allow rules) on
 * each NACL of one zone's subnets. This is the AZ-outage injection the stack's chaos role may
 * make — terraform/modules/stackproof-iam grants only ec2:CreateNetworkAclEntry /
 * DeleteNetworkAclEntry on NACLs tagged stackproof.io/chaos-target, and terraform/modules/vpc gives
 * every zone's subnets their own tagged NACLs with rule numbers 1-99 free for it. The rollback
 * deletes exactly those entries; the residue is any such entry still present.
 */
export function azBlackhole(ec2: EC2Client, target: AzBlackholeTarget): Fault<AzBlackholeRecord> {
  const ruleNumber = target.ruleNumber ?? DEFAULT_BLACKHOLE_RULE_NUMBER;
  return {
    kind: AZ_BLACKHOLE_FAULT,
    target: describeTarget(target),
    plan: () => planBlackhole(ec2, target),
    async inject() {
      const record = await planBlackhole(ec2, target);
      try {
        for (const aclId of record.networkAclIds) {
          for (const egress of [false, true]) {
            await ec2.send(
              new CreateNetworkAclEntryCommand({
                NetworkAclId: aclId,
                RuleNumber: record.ruleNumber,
                Egress: egress,
                ...ALL_TRAFFIC,
              }),
            );
          }
        }
      } catch (error) {
        // Half a blackhole is worse than none: remove what was added, then report.
        await rollbackBlackhole(ec2, record).catch(() => undefined);
        throw error;
      }
      return record;
    },
    rollback: (record) => rollbackBlackhole(ec2, record),
    async residue(): Promise<ResidueItem[]> {
      const { subnets, acls } = await selectAzSubnets(ec2, AZ_BLACKHOLE_FAULT, target);
      const aclIds = new Set(subnets.map((s) => s.networkAclId));
      const left: ResidueItem[] = [];
      for (const acl of acls.filter((a) => aclIds.has(a.NetworkAclId ?? ''))) {
        for (const egress of [false, true]) {
          if ((acl.Entries ?? []).some((e) => isOurEntry(e, ruleNumber, egress))) {
            left.push({
              resource: `NACL ${acl.NetworkAclId} rule ${ruleNumber} (${egress ? 'egress' : 'ingress'})`,
              detail: `deny-all entry of ${AZ_BLACKHOLE_FAULT} in ${target.availabilityZone}`,
            });
          }
        }
      }
      return left;
    },
  };
}
