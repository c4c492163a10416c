import { type SandboxClient, SandboxTargetError } from '@stackproof/sandbox/client';
import { type Fault, FaultConflictError, type ResidueItem } from '../fault.ts';

export const NODE_POWER_LOSS_FAULT = 'sandbox.node-power-loss';
export const ZONE_POWER_LOSS_FAULT = 'sandbox.zone-power-loss';

/** The nodes a power loss takes down (plan) or took down (inject): JSON, for the journal. */
export type PowerLossRecord = {
  readonly zone: string;
  readonly nodes: readonly string[];
  /** The instances (`namespace/pod`) that died with them; known after the injection. */
  readonly stoppedInstances?: readonly string[];
};

/**
 * The nodes a power loss would take down, from the sandbox as it is now. Refuses a node that is
 * already off: its rollback would power on a node this fault did not power off.
 */
async function planPowerLoss(
  client: SandboxClient,
  fault: string,
  select: { readonly node: string } | { readonly zone: string },
): Promise<PowerLossRecord> {
  const nodes = await client.nodes();
  const chosen =
    'node' in select
      ? nodes.filter((n) => n.name === select.node)
      : nodes.filter((n) => n.zone === select.zone);
  if (chosen.length === 0) {
    throw 'node' in select
      ? new SandboxTargetError(
          'node',
          select.node,
          nodes.map((n) => n.name),
        )
      : new SandboxTargetError('zone', select.zone, [...new Set(nodes.map((n) => n.zone))].sort());
  }
  const off = chosen.filter((n) => n.poweredOff).map((n) => n.name);
  if (off.length > 0) {
    throw new FaultConflictError(
      fault,
      `${off.join(', ')} already powered off: restore ${off.length === 1 ? 'it' : 'them'} first`,
    );
  }
  return { zone: chosen[0]?.zone ?? '', nodes: chosen.map((n) => n.name) };
}

async function residueOf(
  client: SandboxClient,
  fault: string,
  names: (node: { readonly name: string; readonly zone: string }) => boolean,
): Promise<ResidueItem[]> {
  return (await client.nodes())
    .filter((n) => names(n) && n.poweredOff)
    .map((n) => ({ resource: `sandbox node ${n.name}`, detail: `powered off by ${fault}` }));
}

/** Powers back on each node of the record that is off; nodes with power are left alone. */
async function restore(client: SandboxClient, record: PowerLossRecord): Promise<void> {
  for (const node of record.nodes) await client.restoreNode(node);
}

/**
 * Power loss of one sandbox node, through the sandbox's typed client: its instances are killed
 * at once and its heartbeat stops, so the control plane sees what it would see on EKS.
 */
export function sandboxNodePowerLoss(client: SandboxClient, node: string): Fault<PowerLossRecord> {
  return {
    kind: NODE_POWER_LOSS_FAULT,
    target: `sandbox node ${node}`,
    plan: () => planPowerLoss(client, NODE_POWER_LOSS_FAULT, { node }),
    async inject() {
      await planPowerLoss(client, NODE_POWER_LOSS_FAULT, { node });
      const loss = await client.failNode(node);
      return { zone: loss.zone, nodes: [loss.node], stoppedInstances: loss.stoppedInstances };
    },
    rollback: (record) => restore(client, record),
    residue: () => residueOf(client, NODE_POWER_LOSS_FAULT, (n) => n.name === node),
  };
}

/** Power loss of every node in a sandbox zone: the Kubernetes side of an AZ outage. */
export function sandboxZonePowerLoss(client: SandboxClient, zone: string): Fault<PowerLossRecord> {
  return {
    kind: ZONE_POWER_LOSS_FAULT,
    target: `sandbox zone ${zone}`,
    plan: () => planPowerLoss(client, ZONE_POWER_LOSS_FAULT, { zone }),
    async inject() {
      await planPowerLoss(client, ZONE_POWER_LOSS_FAULT, { zone });
      const loss = await client.failZone(zone);
      return { zone, nodes: loss.nodes, stoppedInstances: loss.stoppedInstances };
    },
    rollback: (record) => restore(client, record),
    residue: () => residueOf(client, ZONE_POWER_LOSS_FAULT, (n) => n.zone === zone),
  };
}
