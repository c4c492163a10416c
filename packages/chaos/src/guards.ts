import {
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { StackproofError } from '@stackproof/core';
import type { ChaosAllowList } from './chaos-expectations.ts';
import { CHAOS_TARGET_TAG } from './experiments.ts';
import { AZ_BLACKHOLE_FAULT, type AzBlackholeRecord } from './faults/aws/az-blackhole.ts';
import { INSTANCES_STOPPED_FAULT, type InstanceStopRecord } from './faults/aws/instances-stop.ts';
import { RDS_FAILOVER_FAULT, type RdsFailoverRecord } from './faults/aws/rds-failover.ts';
import type { FaultRecord } from './faults/fault.ts';
import { pendingRollbacks, readJournal } from './journal.ts';
import type { ChaosTarget } from './target.ts';

/** A guard refused the run before anything was injected. */
export class ChaosGuardError extends StackproofError {
  readonly guard: 'allow-list' | 'blast-radius' | 'chaos-target-tag' | 'residue-before';

  constructor(guard: ChaosGuardError['guard'], message: string) {
    super('CHAOS_REFUSED', 'bad-input', `refused (${guard}): ${message}; nothing was injected`);
    this.guard = guard;
  }
}

/** The journal has injections that were never rolled back: a crash, or a failed rollback. */
export class ChaosPendingRollbackError extends StackproofError {
  readonly pending: readonly string[];

  constructor(journal: string, pending: readonly string[]) {
    super(
      'CHAOS_PENDING_ROLLBACK',
      'environment',
      `${journal} has ${pending.length} injection(s) never rolled back (${pending.join(', ')}); run 'stackproof chaos recover' first`,
    );
    this.pending = pending;
  }
}

/**
 * Nothing is injected unless the AWS account and the kube context are both on the allow-list:
 * an empty list refuses everything, so a run pointed at the wrong credentials or cluster stops
 * here.
 */
export function checkAllowList(
  allow: ChaosAllowList,
  seen: { readonly account: string; readonly context: string },
): void {
  const problems: string[] = [];
  if (allow.accounts.length === 0) {
    problems.push(
      'no AWS account is allowed (chaos.allow.accounts in the expectations, or --allow-account)',
    );
  } else if (!allow.accounts.includes(seen.account)) {
    problems.push(
      `the credentials are for account ${seen.account}, not one of ${allow.accounts.join(', ')}`,
    );
  }
  if (allow.contexts.length === 0) {
    problems.push(
      'no kube context is allowed (chaos.allow.contexts in the expectations, or --allow-context)',
    );
  } else if (!allow.contexts.includes(seen.context)) {
    problems.push(`the kube context is ${seen.context}, not one of ${allow.contexts.join(', ')}`);
  }
  if (problems.length > 0) throw new ChaosGuardError('allow-list', problems.join('; '));
}

/** The zones a planned fault touches, from its record. */
function zonesOf(kind: string, record: FaultRecord): string[] {
  const r = record as Record<string, unknown>;
  for (const key of ['zone', 'availabilityZone']) {
    if (typeof r[key] === 'string' && r[key] !== '') return [r[key] as string];
  }
  if (kind.endsWith('database-failover') || kind === RDS_FAILOVER_FAULT) {
    const before =
      (r.primaryBefore as { zone?: string } | undefined)?.zone ?? r.availabilityZoneBefore;
    return typeof before === 'string' ? [before] : [];
  }
  return [];
}

/** At most one zone: every planned fault's zone is the same one. */
export function checkBlastRadius(
  plans: readonly { kind: string; record: FaultRecord }[],
): string[] {
  const zones = [...new Set(plans.flatMap((p) => zonesOf(p.kind, p.record)))].sort();
  if (zones.length > 1) {
    throw new ChaosGuardError(
      'blast-radius',
      `the faults would touch ${zones.length} zones (${zones.join(', ')}); the blast radius is at most one zone`,
    );
  }
  return zones;
}

const tagged = (tags: readonly Tag[] | undefined): boolean =>
  (tags ?? []).some((t) => t.Key === CHAOS_TARGET_TAG && t.Value === 'true');

/**
 * Every AWS resource a planned fault changes carries `stackproof.io/chaos-target=true`, the tag
 * the chaos IAM role (terraform/modules/stackproof-iam) is limited to: asked of the target, so a
 * run that would be denied half-way on AWS is refused before it starts, on moto too.
 */
export async function checkChaosTargetTags(
  target: ChaosTarget,
  plans: readonly { kind: string; record: FaultRecord }[],
): Promise<void> {
  const untagged: string[] = [];
  for (const { kind, record } of plans) {
    if (kind === AZ_BLACKHOLE_FAULT) {
      const r = record as AzBlackholeRecord;
      const acls = (
        await target.aws.ec2.send(
          new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [r.vpcId] }] }),
        )
      ).NetworkAcls;
      for (const id of r.networkAclIds) {
        if (!tagged(acls?.find((a) => a.NetworkAclId === id)?.Tags)) untagged.push(`NACL ${id}`);
      }
    } else if (kind === INSTANCES_STOPPED_FAULT) {
      const r = record as InstanceStopRecord;
      const out = await target.aws.ec2.send(
        new DescribeInstancesCommand({ InstanceIds: [...r.instanceIds] }),
      );
      for (const instance of (out.Reservations ?? []).flatMap((res) => res.Instances ?? [])) {
        if (!tagged(instance.Tags)) untagged.push(`instance ${instance.InstanceId}`);
      }
    } else if (kind === RDS_FAILOVER_FAULT) {
      const r = record as RdsFailoverRecord;
      const db = (
        await target.aws.rds.send(
          new DescribeDBInstancesCommand({ DBInstanceIdentifier: r.dbInstanceIdentifier }),
        )
      ).DBInstances?.[0];
      if (!tagged(db?.TagList)) untagged.push(`DB instance ${r.dbInstanceIdentifier}`);
    }
  }
  if (untagged.length > 0) {
    throw new ChaosGuardError(
      'chaos-target-tag',
      `${untagged.join(', ')} lack${untagged.length === 1 ? 's' : ''} the tag ${CHAOS_TARGET_TAG}=true the chaos role is limited to`,
    );
  }
}

/** Refuses to start while the journal has injections that were never rolled back. */
export async function checkJournalClear(journal: string): Promise<void> {
  const pending = pendingRollbacks(await readJournal(journal));
  if (pending.length > 0) {
    throw new ChaosPendingRollbackError(
      journal,
      pending.map((e) => `${e.fault} on ${e.target}`),
    );
  }
}
