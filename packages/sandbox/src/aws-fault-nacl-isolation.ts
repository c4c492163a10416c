import {
  CreateNetworkAclCommand,
  DeleteNetworkAclCommand,
  type EC2Client,
  type NetworkAcl,
  ReplaceNetworkAclAssociationCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { AwsFaultConflictError, AwsFaultRollbackError } from './aws-errors.ts';
import { type AwsFaultHandle, idempotentRollback } from './aws-fault-handle.ts';
import {
  type AzSubnetsTarget,
  describeNetworkAcls,
  type SubnetAclAssociation,
  selectAzSubnets,
} from './aws-fault-subnets.ts';

export const AZ_ISOLATION_FAULT = 'aws.az-nacl-isolation';

/** Tags on the deny-all NACL. They carry everything a rollback needs, so a crashed run's leftover
 * can be undone from the account alone (recoverAzIsolations), without the journal. */
export const FAULT_TAG = 'stackproof.io/fault';
const FAULT_AZ_TAG = 'stackproof.io/fault-az';
const ORIGINAL_ACL_TAG_PREFIX = 'stackproof.io/original-acl/';
// 50 tags per resource, three used above: the originals of up to 47 subnets fit.
const MAX_SUBNETS = 47;

export interface AzIsolationPlan extends AzSubnetsTarget {
  /** The subnets to isolate and the NACL association each has now (restored on rollback). */
  readonly subnets: readonly SubnetAclAssociation[];
}

export interface AzIsolationRecord extends AzIsolationPlan {
  /** The deny-all NACL the subnets were moved to. */
  readonly denyNetworkAclId: string;
}

function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/**
 * What isolateAz would do, without changing anything (the chaos dry run and journal entry).
 * Throws AwsFaultTargetError when the AZ has no such subnets and AwsFaultConflictError when one of
 * them is already isolated (stacking two isolations could not be rolled back in any order).
 */
export async function planAzIsolation(
  ec2: EC2Client,
  target: AzSubnetsTarget,
): Promise<AzIsolationPlan> {
  const { subnets, acls } = await selectAzSubnets(ec2, AZ_ISOLATION_FAULT, target);
  const isolating = new Set(
    acls
      .filter((a) => tagValue(a.Tags, FAULT_TAG) === AZ_ISOLATION_FAULT)
      .map((a) => a.NetworkAclId),
  );
  const already = subnets.filter((s) => isolating.has(s.networkAclId));
  if (already.length > 0) {
    throw new AwsFaultConflictError(
      AZ_ISOLATION_FAULT,
      `subnets ${already.map((s) => s.subnetId).join(', ')} are already on isolation NACL ` +
        `${already[0]?.networkAclId}: roll that back first (or run recoverAzIsolations)`,
    );
  }
  if (subnets.length > MAX_SUBNETS) {
    throw new AwsFaultConflictError(
      AZ_ISOLATION_FAULT,
      `${subnets.length} subnets are more than the ${MAX_SUBNETS} whose original NACLs fit in the tags of one NACL; select fewer with "tiers"`,
    );
  }
  return { ...target, subnets };
}

/**
 * Cuts one AZ's subnets off the network: creates a NACL with no rules in the VPC (a new custom
 * NACL denies all traffic both ways until rules are added) and moves each subnet's association to
 * it. The rollback moves every subnet back to the NACL it had and deletes the deny-all NACL.
 *
 * This needs ec2:CreateNetworkAcl, ReplaceNetworkAclAssociation and DeleteNetworkAcl. The stack's
 * chaos role (terraform/modules/stackproof-iam) grants only NACL entry changes on NACLs tagged
 * stackproof.io/chaos-target; blackholeAzNacls is the variant that works within it.
 */
export async function isolateAz(
  ec2: EC2Client,
  target: AzSubnetsTarget,
): Promise<AwsFaultHandle<AzIsolationRecord>> {
  const plan = await planAzIsolation(ec2, target);
  const created = await ec2.send(
    new CreateNetworkAclCommand({
      VpcId: plan.vpcId,
      TagSpecifications: [
        {
          ResourceType: 'network-acl',
          Tags: [
            { Key: 'Name', Value: `stackproof-chaos-isolate-${plan.availabilityZone}` },
            { Key: FAULT_TAG, Value: AZ_ISOLATION_FAULT },
            { Key: FAULT_AZ_TAG, Value: plan.availabilityZone },
            ...plan.subnets.map((s) => ({
              Key: `${ORIGINAL_ACL_TAG_PREFIX}${s.subnetId}`,
              Value: s.networkAclId,
            })),
          ],
        },
      ],
    }),
  );
  const denyNetworkAclId = created.NetworkAcl?.NetworkAclId;
  if (denyNetworkAclId === undefined) throw new Error('CreateNetworkAcl returned no NetworkAclId');
  const record: AzIsolationRecord = { ...plan, denyNetworkAclId };
  const rollback = idempotentRollback(() => undoAzIsolation(ec2, plan.vpcId, denyNetworkAclId));
  try {
    for (const subnet of plan.subnets) {
      await ec2.send(
        new ReplaceNetworkAclAssociationCommand({
          AssociationId: subnet.associationId,
          NetworkAclId: denyNetworkAclId,
        }),
      );
    }
  } catch (error) {
    // Half an isolation is worse than none: put back what was moved, then report.
    await rollback().catch(() => undefined);
    throw error;
  }
  return { fault: AZ_ISOLATION_FAULT, record, rollback };
}

/**
 * Undoes one isolation from what the account holds: every subnet on the deny-all NACL goes back to
 * the NACL named in the deny NACL's tags, then the deny NACL is deleted. Does nothing when it is
 * gone already. A subnet whose original NACL no longer exists is put on the VPC's default NACL (so
 * it is not left cut off) and reported in an AwsFaultRollbackError after everything else is done.
 */
export async function undoAzIsolation(
  ec2: EC2Client,
  vpcId: string,
  denyNetworkAclId: string,
): Promise<void> {
  // By tag and VPC, then by id here: moto 5.2.1 implements no `network-acl-id` filter and answers
  // DescribeNetworkAcls for an unknown id with the wrong error code (InvalidRouteTableID.NotFound).
  const acls = await describeNetworkAcls(ec2, [{ Name: 'vpc-id', Values: [vpcId] }]);
  const deny = acls.find((a) => a.NetworkAclId === denyNetworkAclId);
  if (deny === undefined) return;
  if (tagValue(deny.Tags, FAULT_TAG) !== AZ_ISOLATION_FAULT) {
    throw new AwsFaultRollbackError(
      AZ_ISOLATION_FAULT,
      `${denyNetworkAclId} is not an isolation NACL (no ${FAULT_TAG}=${AZ_ISOLATION_FAULT} tag); refusing to touch it`,
    );
  }
  const existing = new Set(acls.map((a) => a.NetworkAclId));
  const defaultAcl = acls.find((a) => a.IsDefault === true)?.NetworkAclId;
  const problems: string[] = [];
  for (const association of deny.Associations ?? []) {
    const subnetId = association.SubnetId ?? '';
    let original = tagValue(deny.Tags, `${ORIGINAL_ACL_TAG_PREFIX}${subnetId}`);
    if (original === undefined || !existing.has(original)) {
      problems.push(
        original === undefined
          ? `subnet ${subnetId} joined the isolation NACL after the fault; its NACL before is unknown`
          : `subnet ${subnetId}'s original NACL ${original} no longer exists`,
      );
      original = defaultAcl;
      if (original === undefined) continue;
      problems[problems.length - 1] += `; it was put on the VPC's default NACL ${original}`;
    }
    await ec2.send(
      new ReplaceNetworkAclAssociationCommand({
        AssociationId: association.NetworkAclAssociationId,
        NetworkAclId: original,
      }),
    );
  }
  await ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: denyNetworkAclId }));
  if (problems.length > 0) throw new AwsFaultRollbackError(AZ_ISOLATION_FAULT, problems.join('; '));
}

/**
 * Undoes every isolation left in the account (or in one VPC) by a run that crashed before its
 * rollback; returns the deny NACLs it removed. For `stackproof chaos recover`.
 */
export async function recoverAzIsolations(
  ec2: EC2Client,
  options: { readonly vpcId?: string } = {},
): Promise<string[]> {
  const filters = [{ Name: `tag:${FAULT_TAG}`, Values: [AZ_ISOLATION_FAULT] }];
  if (options.vpcId !== undefined) filters.push({ Name: 'vpc-id', Values: [options.vpcId] });
  const leftovers: NetworkAcl[] = await describeNetworkAcls(ec2, filters);
  const undone: string[] = [];
  for (const acl of leftovers) {
    if (acl.NetworkAclId === undefined || acl.VpcId === undefined) continue;
    await undoAzIsolation(ec2, acl.VpcId, acl.NetworkAclId);
    undone.push(acl.NetworkAclId);
  }
  return undone;
}
