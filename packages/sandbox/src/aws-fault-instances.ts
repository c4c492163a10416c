import {
  type EC2Client,
  type Filter,
  type Instance,
  paginateDescribeInstances,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { pollUntil } from '@stackproof/core';
import { AwsFaultRollbackError, AwsFaultTargetError } from './aws-errors.ts';
import { type AwsFaultHandle, idempotentRollback } from './aws-fault-handle.ts';

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

export interface InstanceStopRecord {
  readonly availabilityZone: string | undefined;
  /** The instances that were running and were stopped; only these are started on rollback. */
  readonly instanceIds: readonly string[];
}

async function describeInstances(ec2: EC2Client, filters: Filter[], ids?: readonly string[]) {
  const instances: Instance[] = [];
  const input = { Filters: filters, ...(ids === undefined ? {} : { InstanceIds: [...ids] }) };
  for await (const page of paginateDescribeInstances({ client: ec2 }, input)) {
    for (const reservation of page.Reservations ?? [])
      instances.push(...(reservation.Instances ?? []));
  }
  return instances;
}

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

/** The running instances a stop would hit (the dry run). Throws AwsFaultTargetError for none. */
export async function planInstanceStop(
  ec2: EC2Client,
  target: InstanceStopTarget,
): Promise<InstanceStopRecord> {
  if (target.availabilityZone === undefined && (target.instanceIds?.length ?? 0) === 0) {
    throw new AwsFaultTargetError(
      INSTANCES_STOPPED_FAULT,
      'name an availability zone or instance ids: stopping every instance is not a fault this hook makes',
    );
  }
  // The zone is matched here rather than with the `availability-zone` filter: moto 5.2.1 compares
  // that filter with its placement object and never matches (EC2 itself supports it).
  const filters: Filter[] = [{ Name: 'instance-state-name', Values: ['running'] }];
  if (target.vpcId !== undefined) filters.push({ Name: 'vpc-id', Values: [target.vpcId] });
  for (const [key, value] of Object.entries(target.tags ?? {})) {
    filters.push({ Name: `tag:${key}`, Values: [value] });
  }
  const running = (await describeInstances(ec2, filters, target.instanceIds)).filter(
    (i) =>
      target.availabilityZone === undefined ||
      i.Placement?.AvailabilityZone === target.availabilityZone,
  );
  const instanceIds = running.flatMap((i) => (i.InstanceId === undefined ? [] : [i.InstanceId]));
  if (instanceIds.length === 0) {
    const where = [
      target.availabilityZone === undefined ? '' : ` in ${target.availabilityZone}`,
      target.vpcId === undefined ? '' : ` of VPC ${target.vpcId}`,
      target.instanceIds === undefined ? '' : ` among ${target.instanceIds.join(', ')}`,
      target.tags === undefined ? '' : ` tagged ${JSON.stringify(target.tags)}`,
    ].join('');
    throw new AwsFaultTargetError(INSTANCES_STOPPED_FAULT, `no running instances${where}`);
  }
  return { availabilityZone: target.availabilityZone, instanceIds: instanceIds.sort() };
}

/**
 * Stops the target's running instances and waits until they are stopped. The rollback starts
 * exactly those again (instances that were already stopped stay stopped) and waits until they run.
 */
export async function stopInstances(
  ec2: EC2Client,
  target: InstanceStopTarget,
  options: InstanceStopOptions = {},
): Promise<AwsFaultHandle<InstanceStopRecord>> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const record = await planInstanceStop(ec2, target);
  const rollback = idempotentRollback(() => startStoppedInstances(ec2, record, { timeoutMs }));
  try {
    await ec2.send(
      new StopInstancesCommand({
        InstanceIds: [...record.instanceIds],
        Force: options.force ?? true,
      }),
    );
    await waitForState(ec2, record.instanceIds, 'stopped', timeoutMs);
  } catch (error) {
    await rollback().catch(() => undefined);
    throw error;
  }
  return { fault: INSTANCES_STOPPED_FAULT, record, rollback };
}

/**
 * Starts the record's instances that are stopped (waiting out `stopping` first) and waits until all
 * run. Idempotent; a terminated instance cannot be brought back and is reported after the others
 * were started.
 */
export async function startStoppedInstances(
  ec2: EC2Client,
  record: InstanceStopRecord,
  options: { readonly timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const ids = record.instanceIds;
  if (ids.length === 0) return;
  let instances = await describeInstances(ec2, [], ids);
  const stopping = instances.filter((i) => i.State?.Name === 'stopping');
  if (stopping.length > 0) {
    await waitForState(
      ec2,
      stopping.flatMap((i) => (i.InstanceId === undefined ? [] : [i.InstanceId])),
      'stopped',
      timeoutMs,
    );
    instances = await describeInstances(ec2, [], ids);
  }
  const gone = instances.filter((i) =>
    ['shutting-down', 'terminated'].includes(i.State?.Name ?? ''),
  );
  const toStart = instances
    .filter((i) => i.State?.Name === 'stopped')
    .flatMap((i) => (i.InstanceId === undefined ? [] : [i.InstanceId]));
  if (toStart.length > 0) {
    await ec2.send(new StartInstancesCommand({ InstanceIds: toStart }));
  }
  const alive = instances
    .filter((i) => !gone.includes(i))
    .flatMap((i) => (i.InstanceId === undefined ? [] : [i.InstanceId]));
  if (alive.length > 0) await waitForState(ec2, alive, 'running', timeoutMs);
  if (gone.length > 0) {
    throw new AwsFaultRollbackError(
      INSTANCES_STOPPED_FAULT,
      `instances ${gone.map((i) => i.InstanceId).join(', ')} were terminated while stopped and cannot be started`,
    );
  }
}
