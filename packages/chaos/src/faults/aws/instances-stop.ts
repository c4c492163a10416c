import {
  type EC2Client,
  type Filter,
  type Instance,
  paginateDescribeInstances,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { pollUntil } from '@stackproof/core';
import { type Fault, FaultRollbackError, FaultTargetError, type ResidueItem } from '../fault.ts';

export const INSTANCES_STOPPED_FAULT = 'aws.instances-stopped';

/**
 * Which instances to stop: those running in an AZ, or the given ids, narrowed by VPC and tags. An
 * AZ or ids are required, so that a fault can never mean "every instance in the account".
 */
export interface InstanceStopTarget {
  readonly availabilityZone?: string;
  readonly instanceIds?: readonly string[];
  readonly vpcId?: string;
  /** Only instances carrying all these tags (e.g. stackproof.io/chaos-target=true). */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface InstanceStopOptions {
  /**
   * StopInstances with Force (default true): no OS shutdown, the closest EC2 has to the power
   * loss the AZ-outage experiment models.
   */
  readonly force?: boolean;
  /** Bound for the instances to reach `stopped` (and `running` on rollback); default 10 min. */
  readonly timeoutMs?: number;
}

/** The instances the stop hits (plan) or hit (inject): JSON, for the journal. */
export type InstanceStopRecord = {
  readonly availabilityZone: string | null;
  /** The instances that were running and were stopped; only these are started on rollback. */
  readonly instanceIds: readonly string[];
};

async function describeInstances(ec2: EC2Client, filters: Filter[], ids?: readonly string[]) {
  const instances: Instance[] = [];
  const input = { Filters: filters, ...(ids === undefined ? {} : { InstanceIds: [...ids] }) };
  for await (const page of paginateDescribeInstances({ client: ec2 }, input)) {
    for (const reservation of page.Reservations ?? [])
      instances.push(...(reservation.Instances ?? []));
  }
  return instances;
}

const idsOf = (instances: readonly Instance[]): string[] =>
  instances.flatMap((i) => (i.InstanceId === undefined ? [] : [i.InstanceId]));

async function waitForState(
  ec2: EC2Client,
  ids: readonly string[],
  state: 'stopped' | 'running',
  timeoutMs: number,
): Promise<void> {
  await pollUntil(
    async () => {
      const instances = await describeInstances(ec2, [], ids);
      return instances.every((i) => i.State?.Name === state) ? true : undefined;
    },
    { what: `instances ${ids.join(', ')} to be ${state}`, timeoutMs, intervalMs: 2_000 },
  );
}

function describeTarget(target: InstanceStopTarget): string {
  return [
    target.availabilityZone === undefined ? '' : ` in ${target.availabilityZone}`,
    target.vpcId === undefined ? '' : ` of VPC ${target.vpcId}`,
    target.instanceIds === undefined ? '' : ` among ${target.instanceIds.join(', ')}`,
    target.tags === undefined ? '' : ` tagged ${JSON.stringify(target.tags)}`,
  ].join('');
}

/** The target's instances in the given states. The zone is matched here, not by a filter. */
async function targetInstances(
  ec2: EC2Client,
  target: InstanceStopTarget,
  states: readonly string[],
): Promise<Instance[]> {
  if (target.availabilityZone === undefined && (target.instanceIds?.length ?? 0) === 0) {
    throw new FaultTargetError(
      INSTANCES_STOPPED_FAULT,
      'name an availability zone or instance ids: stopping every instance is not a fault this makes',
    );
  }
  // moto 5.2.1 compares the `availability-zone` filter with its placement object and never
  // matches (EC2 itself supports it), so the zone is compared on Placement instead.
  const filters: Filter[] = [{ Name: 'instance-state-name', Values: [...states] }];
  if (target.vpcId !== undefined) filters.push({ Name: 'vpc-id', Values: [target.vpcId] });
  for (const [key, value] of Object.entries(target.tags ?? {})) {
    filters.push({ Name: `tag:${key}`, Values: [value] });
  }
  return (await describeInstances(ec2, filters, target.instanceIds)).filter(
    (i) =>
      target.availabilityZone === undefined ||
      i.Placement?.AvailabilityZone === target.availabilityZone,
  );
}

/** Throws FaultTargetError when nothing in the target runs: stopping nothing is a mistake. */
async function planStop(ec2: EC2Client, target: InstanceStopTarget): Promise<InstanceStopRecord> {
  const instanceIds = idsOf(await targetInstances(ec2, target, ['running']));
  if (instanceIds.length === 0) {
    throw new FaultTargetError(
      INSTANCES_STOPPED_FAULT,
      `no running instances${describeTarget(target)}`,
    );
  }
  return { availabilityZone: target.availabilityZone ?? null, instanceIds: instanceIds.sort() };
}

/**
 * Starts the record's instances that are stopped (waiting out `stopping` first) and waits until
 * all run. A terminated instance cannot be brought back and is reported after the others started.
 */
async function startStopped(
  ec2: EC2Client,
  record: InstanceStopRecord,
  timeoutMs: number,
): Promise<void> {
  const ids = record.instanceIds;
  if (ids.length === 0) return;
  let instances = await describeInstances(ec2, [], ids);
  const stopping = instances.filter((i) => i.State?.Name === 'stopping');
  if (stopping.length > 0) {
    await waitForState(ec2, idsOf(stopping), 'stopped', timeoutMs);
    instances = await describeInstances(ec2, [], ids);
  }
  const gone = instances.filter((i) =>
    ['shutting-down', 'terminated'].includes(i.State?.Name ?? ''),
  );
  const toStart = idsOf(instances.filter((i) => i.State?.Name === 'stopped'));
  if (toStart.length > 0) {
    await ec2.send(new StartInstancesCommand({ InstanceIds: toStart }));
  }
  const alive = idsOf(instances.filter((i) => !gone.includes(i)));
  if (alive.length > 0) await waitForState(ec2, alive, 'running', timeoutMs);
  if (gone.length > 0) {
    throw new FaultRollbackError(
      INSTANCES_STOPPED_FAULT,
      `instances ${idsOf(gone).join(', ')} were terminated while stopped and cannot be started`,
    );
  }
}

/**
 * A power loss of EC2 instances: StopInstances (Force by default) on the target's running
 * instances, waiting until they are stopped. The rollback starts exactly those again (instances
 * that were already stopped stay stopped) and waits until they run.
 *
 * The residue is every instance of the target that is stopped or stopping now. The chaos role may
 * stop and start instances but not tag them, so the target cannot tell an instance this fault
 * stopped from one stopped before it; on a healthy target (every chaos-target instance runs,
 * which the experiment's preflight checks) there is none.
 */
export function instancesStop(
  ec2: EC2Client,
  target: InstanceStopTarget,
  options: InstanceStopOptions = {},
): Fault<InstanceStopRecord> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  return {
    kind: INSTANCES_STOPPED_FAULT,
    target: `instances${describeTarget(target)}`,
    plan: () => planStop(ec2, target),
    async inject() {
      const record = await planStop(ec2, target);
      try {
        await ec2.send(
          new StopInstancesCommand({
            InstanceIds: [...record.instanceIds],
            Force: options.force ?? true,
          }),
        );
        await waitForState(ec2, record.instanceIds, 'stopped', timeoutMs);
      } catch (error) {
        await startStopped(ec2, record, timeoutMs).catch(() => undefined);
        throw error;
      }
      return record;
    },
    rollback: (record) => startStopped(ec2, record, timeoutMs),
    async residue(): Promise<ResidueItem[]> {
      const stopped = await targetInstances(ec2, target, ['stopped', 'stopping']);
      return stopped.map((i) => ({
        resource: `instance ${i.InstanceId}`,
        detail: `${i.State?.Name} in ${i.Placement?.AvailabilityZone ?? 'an unknown zone'}`,
      }));
    },
  };
}
