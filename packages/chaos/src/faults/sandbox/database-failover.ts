import type { SandboxClient } from '@stackproof/sandbox/client';
import { type Fault, FaultConflictError, type ResidueItem } from '../fault.ts';

export const DATABASE_FAILOVER_FAULT = 'sandbox.database-failover';

/** Where the primary was (plan) and went (inject): JSON, for the journal. */
export type DatabaseFailoverRecord = {
  readonly primaryBefore: { readonly name: string; readonly zone: string };
  readonly standbyBefore: { readonly name: string; readonly zone: string };
  readonly primaryAfter?: { readonly name: string; readonly zone: string };
  /** How long the endpoint refused connections, as the sandbox measured it. */
  readonly endpointDownMs?: number;
  readonly connectionsReset?: number;
};

async function planFailover(client: SandboxClient): Promise<DatabaseFailoverRecord> {
  const db = await client.database();
  if (!db.multiAz) {
    // RDS refuses a failover without a standby in sync; so does the stand-in, and the plan says so.
    throw new FaultConflictError(
      DATABASE_FAILOVER_FAULT,
      `the standby ${db.standby.name} is ${db.standby.state}, not in sync: roll back the fault that left it so (stackproof chaos recover) or wait for it to rejoin`,
    );
  }
  return {
    primaryBefore: { name: db.primary.name, zone: db.primary.zone },
    standbyBefore: { name: db.standby.name, zone: db.standby.zone },
  };
}

/**
 * The sandbox's RDS Multi-AZ failover, through its typed client: sessions break, the primary's
 * server stops at once, the standby is promoted and the endpoint moves to it (the SQL probe
 * measures the outage). A failover is not undone — failing back is a second outage, and RDS
 * does not fail back either — so the rollback brings the standby back in sync, as RDS does when
 * it replaces the failed host: it waits for the rebuild (or starts one) and does nothing to a
 * standby that streams. The residue is a standby that has not rejoined, or a primary that is down.
 */
export function sandboxDatabaseFailover(client: SandboxClient): Fault<DatabaseFailoverRecord> {
  return {
    kind: DATABASE_FAILOVER_FAULT,
    target: 'sandbox database (Multi-AZ stand-in)',
    plan: () => planFailover(client),
    async inject() {
      const plan = await planFailover(client);
      const done = await client.failoverDatabase();
      return {
        ...plan,
        primaryAfter: done.to,
        endpointDownMs: done.endpointDownMs,
        connectionsReset: done.connectionsReset,
      };
    },
    async rollback() {
      await client.rejoinStandby();
    },
    async residue(): Promise<ResidueItem[]> {
      const db = await client.database();
      const left: ResidueItem[] = [];
      if (!db.primary.running) {
        left.push({
          resource: `sandbox database primary ${db.primary.name}`,
          detail: 'not running',
        });
      }
      if (!db.multiAz) {
        left.push({
          resource: `sandbox database standby ${db.standby.name}`,
          detail: `${db.standby.state}${db.standby.detail === undefined ? '' : ` (${db.standby.detail})`}: not rejoined after a failover`,
        });
      }
      return left;
    },
  };
}
