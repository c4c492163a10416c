import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { StackproofError } from '@stackproof/core';
import { azBlackhole } from './faults/aws/az-blackhole.ts';
import { instancesStop } from './faults/aws/instances-stop.ts';
import { rdsFailover } from './faults/aws/rds-failover.ts';
import type { Fault, FaultRecord } from './faults/fault.ts';
import { podKill } from './faults/kube/pod-kill.ts';
import { sandboxDatabaseFailover } from './faults/sandbox/database-failover.ts';
import { sandboxNodePowerLoss, sandboxZonePowerLoss } from './faults/sandbox/power-loss.ts';
import type { ChaosTarget } from './target.ts';

/** The experiments `stackproof chaos run` knows. */
export type ExperimentName = 'az-outage' | 'node-loss' | 'pod-kill' | 'rds-failover';
export const EXPERIMENTS: readonly ExperimentName[] = [
  'az-outage',
  'node-loss',
  'pod-kill',
  'rds-failover',
];

/** The tag every AWS resource a fault may touch carries (terraform/modules/stackproof-iam). */
export const CHAOS_TARGET_TAG = 'stackproof.io/chaos-target';
const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** What an experiment acts on, from the flags. */
export interface ExperimentRequest {
  readonly experiment: ExperimentName;
  /** az-outage: the zone (exactly one); node-loss: the zone to take a random node from. */
  readonly zones?: readonly string[];
  /** node-loss: the node. */
  readonly node?: string;
  /** pod-kill: the label selector and how many pods (default 1), in `namespace`. */
  readonly selector?: string;
  readonly count?: number;
  /** The workloads' namespace (the expectations' first). */
  readonly namespace: string;
}

/** The stack's ids the faults need, from the outputs (`terraform output -json`). */
export interface StackIds {
  readonly vpcId: string;
  readonly clusterName: string;
  readonly dbInstanceIdentifier: string;
}

/** The property each measure of an experiment is evidence of. */
export interface ExperimentProperties {
  /** The failed zone's / node's / pods' endpoints leave the EndpointSlices in time. */
  readonly detect?: string;
  /** Ready endpoints back and errors back under budget in time. */
  readonly recover: string;
  /** Requests failed in the fault window within the error budget. */
  readonly requestsFailed: string;
  /** Database downtime seen by the SQL probe, when the database fails over. */
  readonly rdsDowntime?: string;
  /** The network blackhole stays within the zone's NACLs. */
  readonly blackhole?: string;
}

/** An experiment bound to its target, its faults in injection order (rolled back in reverse). */
export interface Experiment {
  readonly name: ExperimentName;
  /** In a few words: `me-central-1a loses power, its subnets and its database primary`. */
  readonly description: string;
  readonly faults: readonly Fault<FaultRecord>[];
  /** Zones the faults disturb (the blast radius, at most one). */
  readonly zones: readonly string[];
  /** What leaving the EndpointSlices means for the detection measure. */
  readonly detect?: { readonly nodes?: readonly string[]; readonly pods?: readonly string[] };
  /** Whether the database fails over (the SQL probe's downtime is then a measure). */
  readonly databaseFailover: boolean;
  readonly properties: ExperimentProperties;
}

/** The request names nothing an experiment can act on, or too much. */
export class ExperimentInputError extends StackproofError {
  constructor(message: string) {
    super('CHAOS_EXPERIMENT_INVALID', 'bad-input', message);
  }
}

function anyFault<R extends FaultRecord>(fault: Fault<R>): Fault<FaultRecord> {
  // A fault whose record the runner only stores and hands back: see faults/registry.ts.
  return fault as unknown as Fault<FaultRecord>;
}

async function listNodes(target: ChaosTarget): Promise<V1Node[]> {
  return (await target.kubeConfig.makeApiClient(CoreV1Api).listNode()).items;
}

const zoneOfNode = (node: V1Node): string => node.metadata?.labels?.[ZONE_LABEL] ?? '';

/** `aws:///me-central-1a/i-0abc` → `i-0abc` (the node's EC2 instance, as EKS names it). */
function instanceIdOf(node: V1Node): string | undefined {
  const id = node.spec?.providerID?.split('/').pop();
  return id?.startsWith('i-') ? id : undefined;
}

/** The zone of the database's primary: the sandbox stand-in's, or DescribeDBInstances'. */
async function databasePrimaryZone(
  target: ChaosTarget,
  ids: StackIds,
): Promise<string | undefined> {
  if (target.sandbox !== undefined) return (await target.sandbox.database()).primary.zone;
  const out = await target.aws.rds.send(
    new DescribeDBInstancesCommand({ DBInstanceIdentifier: ids.dbInstanceIdentifier }),
  );
  return out.DBInstances?.[0]?.AvailabilityZone;
}

/**
 * The database's failover: the sandbox's Multi-AZ stand-in through its client, or on AWS
 * RebootDBInstance with ForceFailover (moto would accept it and do nothing).
 */
function databaseFailover(target: ChaosTarget, ids: StackIds): Fault<FaultRecord> {
  return target.sandbox !== undefined
    ? anyFault(sandboxDatabaseFailover(target.sandbox))
    : anyFault(rdsFailover(target.aws.rds, { dbInstanceIdentifier: ids.dbInstanceIdentifier }));
}

/** The zone's node instances: tagged as chaos targets and as nodes of the stack's cluster. */
const nodeInstanceTags = (ids: StackIds) => ({
  [CHAOS_TARGET_TAG]: 'true',
  'eks:cluster-name': ids.clusterName,
});

async function azOutage(target: ChaosTarget, ids: StackIds, zone: string): Promise<Experiment> {
  const nodes = (await listNodes(target)).filter((n) => zoneOfNode(n) === zone);
  if (nodes.length === 0) {
    const zones = [...new Set((await listNodes(target)).map(zoneOfNode))].sort();
    throw new ExperimentInputError(
      `the cluster has no node in ${zone}; its zones: ${zones.join(', ') || 'none'}`,
    );
  }
  const primaryZone = await databasePrimaryZone(target, ids);
  const failsOver = primaryZone === zone;
  const faults: Fault<FaultRecord>[] = [];
  // The Kubernetes side first (on the sandbox the nodes lose power through its client; on EKS
  // stopping their instances is that power loss), then the network, the instances, the database.
  if (target.sandbox !== undefined)
    faults.push(anyFault(sandboxZonePowerLoss(target.sandbox, zone)));
  faults.push(anyFault(azBlackhole(target.aws.ec2, { vpcId: ids.vpcId, availabilityZone: zone })));
  faults.push(
    anyFault(
      instancesStop(target.aws.ec2, {
        availabilityZone: zone,
        vpcId: ids.vpcId,
        tags: nodeInstanceTags(ids),
      }),
    ),
  );
  if (failsOver) {
    faults.push(databaseFailover(target, ids));
  }
  return {
    name: 'az-outage',
    description: `${zone} loses power: its nodes, its subnets (NACL blackhole), its instances${failsOver ? ', and the database primary (failover)' : ` (the database primary is in ${primaryZone ?? 'an unknown zone'}: no failover)`}`,
    faults,
    zones: [zone],
    detect: { nodes: nodes.map((n) => n.metadata?.name ?? '') },
    databaseFailover: failsOver,
    properties: {
      detect: 'eks.nodegroup-multi-az',
      recover: 'k8s.topology-spread-zone',
      requestsFailed: 'k8s.topology-spread-zone',
      blackhole: 'network.nacl-per-az',
      ...(failsOver ? { rdsDowntime: 'rds.multi-az' } : {}),
    },
  };
}

async function nodeLoss(
  target: ChaosTarget,
  ids: StackIds,
  request: ExperimentRequest,
): Promise<Experiment> {
  const nodes = await listNodes(target);
  let node: V1Node | undefined;
  if (request.node !== undefined) {
    node = nodes.find((n) => n.metadata?.name === request.node);
    if (node === undefined) {
      throw new ExperimentInputError(
        `the cluster has no node '${request.node}'; its nodes: ${nodes.map((n) => n.metadata?.name).join(', ')}`,
      );
    }
  } else {
    const zone = request.zones?.[0];
    const inZone = nodes.filter((n) => zoneOfNode(n) === zone);
    if (inZone.length === 0) {
      throw new ExperimentInputError(
        `node-loss needs --node NAME, or --zone Z with nodes in it; zones: ${[...new Set(nodes.map(zoneOfNode))].sort().join(', ')}`,
      );
    }
    // A random node of the zone, as a real failure picks one; the plan and the journal name it.
    node = inZone[Math.floor(Math.random() * inZone.length)];
  }
  const name = node?.metadata?.name ?? '';
  const zone = node === undefined ? '' : zoneOfNode(node);
  const instanceId = node === undefined ? undefined : instanceIdOf(node);
  const faults: Fault<FaultRecord>[] = [];
  if (target.sandbox !== undefined)
    faults.push(anyFault(sandboxNodePowerLoss(target.sandbox, name)));
  if (instanceId !== undefined) {
    faults.push(
      anyFault(
        instancesStop(target.aws.ec2, { instanceIds: [instanceId], tags: nodeInstanceTags(ids) }),
      ),
    );
  } else if (target.sandbox === undefined) {
    throw new ExperimentInputError(
      `node ${name} has no EC2 instance in its providerID (${node?.spec?.providerID ?? 'none'}): nothing to stop`,
    );
  }
  return {
    name: 'node-loss',
    description: `node ${name} in ${zone} loses power${instanceId === undefined ? '' : ` (instance ${instanceId} stopped)`}`,
    faults,
    zones: [zone],
    detect: { nodes: [name] },
    databaseFailover: false,
    properties: {
      detect: 'k8s.replicas-min',
      recover: 'k8s.replicas-min',
      requestsFailed: 'k8s.replicas-min',
    },
  };
}

async function podKillExperiment(
  target: ChaosTarget,
  request: ExperimentRequest,
): Promise<Experiment> {
  if (request.selector === undefined) {
    throw new ExperimentInputError(
      'pod-kill needs --selector KEY=VALUE[,KEY=VALUE] (e.g. app.kubernetes.io/component=backend)',
    );
  }
  const fault = podKill(target.kubeConfig, {
    namespace: request.namespace,
    selector: request.selector,
    count: request.count ?? 1,
    ...(request.zones?.[0] !== undefined ? { zone: request.zones[0] } : {}),
  });
  const plan = await fault.plan();
  return {
    name: 'pod-kill',
    description: `${plan.pods.length} pod(s) ${request.selector} in ${request.namespace} killed in ${plan.zone}: ${plan.pods.map((p) => p.name).join(', ')}`,
    faults: [anyFault(fault)],
    zones: [plan.zone],
    detect: { pods: plan.pods.map((p) => p.name) },
    databaseFailover: false,
    properties: {
      detect: 'k8s.replicas-min',
      recover: 'k8s.replicas-min',
      requestsFailed: 'k8s.replicas-min',
    },
  };
}

async function rdsFailoverExperiment(target: ChaosTarget, ids: StackIds): Promise<Experiment> {
  const zone = await databasePrimaryZone(target, ids);
  return {
    name: 'rds-failover',
    description: `the database fails over from its primary in ${zone ?? 'an unknown zone'} to its standby`,
    faults: [databaseFailover(target, ids)],
    zones: zone === undefined ? [] : [zone],
    databaseFailover: true,
    properties: {
      recover: 'rds.multi-az',
      requestsFailed: 'rds.multi-az',
      rdsDowntime: 'rds.multi-az',
    },
  };
}

/**
 * The experiment a request names, bound to the target: its faults, the zones they touch and what
 * each measure is evidence of. Refuses a request that names two zones before reading anything.
 */
export async function buildExperiment(
  target: ChaosTarget,
  ids: StackIds,
  request: ExperimentRequest,
): Promise<Experiment> {
  const zones = [...new Set(request.zones ?? [])];
  if (zones.length > 1) {
    throw new ExperimentInputError(
      `the blast radius is at most one zone; ${request.experiment} was asked for ${zones.join(' and ')}`,
    );
  }
  switch (request.experiment) {
    case 'az-outage': {
      const zone = zones[0];
      if (zone === undefined) throw new ExperimentInputError('az-outage needs --zone ZONE');
      return azOutage(target, ids, zone);
    }
    case 'node-loss':
      return nodeLoss(target, ids, request);
    case 'pod-kill':
      return podKillExperiment(target, request);
    case 'rds-failover':
      return rdsFailoverExperiment(target, ids);
  }
}
