import { StackproofError } from '@stackproof/core';
import {
  type ControlErrorBody,
  SandboxLifecycleError,
  SandboxTargetError,
} from './lifecycle/errors.ts';
import type { ComponentHealth } from './lifecycle/health.ts';
import { requireSandbox, type SandboxState } from './lifecycle/state.ts';

/** A node of the sandbox and whether it has power. */
export interface SandboxNodeInfo {
  readonly name: string;
  readonly zone: string;
  readonly poweredOff: boolean;
}

/** A zone of the sandbox with its nodes. */
export interface SandboxZoneInfo {
  readonly zone: string;
  readonly nodes: readonly string[];
  /** Those of its nodes that are powered off. */
  readonly poweredOff: readonly string[];
}

/** A node's power loss: its instances (`namespace/pod`) were killed at once. */
export interface NodePowerLoss {
  readonly node: string;
  readonly zone: string;
  readonly stoppedInstances: readonly string[];
}

/** A node's power came back (`restored` false: it had power, nothing was done). */
export interface NodeRestore {
  readonly node: string;
  readonly zone: string;
  readonly restored: boolean;
}

/** A zone's power loss: every node in it. */
export interface ZonePowerLoss {
  readonly zone: string;
  readonly nodes: readonly string[];
  readonly stoppedInstances: readonly string[];
}

/** A zone's power came back: the nodes that were off and are on again. */
export interface ZoneRestore {
  readonly zone: string;
  readonly restored: readonly string[];
}

/** One server of the sandbox's Multi-AZ database stand-in. */
export interface DatabaseNodeInfo {
  /** `postgres-<zone>`: a server keeps its name and zone when its role changes. */
  readonly name: string;
  readonly zone: string;
  /** Its own loopback port (clients use the endpoint, never this). */
  readonly port: number;
  readonly role: 'primary' | 'standby';
  readonly running: boolean;
}

/**
 * How the standby relates to the primary, as the primary's pg_stat_replication says: `streaming`
 * (in sync: a failover may happen), `catching-up`, `rejoining` (being rebuilt after a failover)
 * or `down`.
 */
export type StandbyState = 'streaming' | 'catching-up' | 'rejoining' | 'down';

/** The database as RDS would describe a Multi-AZ instance: where the primary and standby are. */
export interface DatabaseTopology {
  /** The stable address (the RDS DNS name's stand-in) the backend and `sandbox env` use. */
  readonly endpoint: { readonly host: string; readonly port: number };
  readonly primary: DatabaseNodeInfo;
  readonly standby: DatabaseNodeInfo & { readonly state: StandbyState; readonly detail?: string };
  /** A standby in sync in another zone (RDS: MultiAZ with a SecondaryAvailabilityZone). */
  readonly multiAz: boolean;
  /** Failovers since the sandbox started. */
  readonly failovers: number;
}

/** A failover: the primary's server went away, the standby was promoted, the endpoint moved. */
export interface DatabaseFailover {
  readonly from: { readonly name: string; readonly zone: string };
  readonly to: { readonly name: string; readonly zone: string };
  /** How long the endpoint refused connections (from cut to routed to the promoted standby). */
  readonly endpointDownMs: number;
  /** Client connections the failover broke. */
  readonly connectionsReset: number;
}

/** The standby back in sync (`rejoined` false: it was already streaming, nothing was done). */
export interface StandbyRejoin {
  readonly standby: { readonly name: string; readonly zone: string };
  readonly rejoined: boolean;
  readonly durationMs: number;
}

export interface SandboxHealthReport {
  readonly healthy: boolean;
  readonly components: readonly ComponentHealth[];
}

const REQUEST_TIMEOUT_MS = 60_000;

function isControlError(body: unknown): body is ControlErrorBody {
  const error = (body as { error?: unknown } | null)?.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/**
 * The typed client of a running sandbox's control API: what the CLI and the chaos experiments
 * use to read the sandbox's nodes and zones and to power them off and on. Nobody outside this
 * file spells the daemon's routes. Errors come back as the daemon raised them: an unknown node
 * or zone is a SandboxTargetError (bad input, listing the valid names), a daemon that does not
 * answer is a SandboxLifecycleError (SANDBOX_NOT_RUNNING).
 */
export class SandboxClient {
  readonly state: SandboxState;

  constructor(state: SandboxState) {
    this.state = state;
  }

  /** The client of the sandbox running in `dir` (SANDBOX_NOT_RUNNING when there is none). */
  static async connect(dir = '.sandbox'): Promise<SandboxClient> {
    return new SandboxClient(await requireSandbox(dir));
  }

  /** Every component's health, from live checks in the daemon. */
  health(): Promise<SandboxHealthReport> {
    return this.#request('GET', '/status');
  }

  nodes(): Promise<SandboxNodeInfo[]> {
    return this.#request('GET', '/nodes');
  }

  zones(): Promise<SandboxZoneInfo[]> {
    return this.#request('GET', '/zones');
  }

  /** Power loss of one node: its instances die at once, KWOK stops its heartbeat. */
  failNode(name: string): Promise<NodePowerLoss> {
    return this.#request('POST', `/nodes/${encodeURIComponent(name)}/fail`);
  }

  /** Power back on one node; does nothing to a node that has power. */
  restoreNode(name: string): Promise<NodeRestore> {
    return this.#request('POST', `/nodes/${encodeURIComponent(name)}/restore`);
  }

  /** Power loss of every node in a zone. */
  failZone(zone: string): Promise<ZonePowerLoss> {
    return this.#request('POST', `/zones/${encodeURIComponent(zone)}/fail`);
  }

  /** Power back on every powered-off node in a zone. */
  restoreZone(zone: string): Promise<ZoneRestore> {
    return this.#request('POST', `/zones/${encodeURIComponent(zone)}/restore`);
  }

  /** The Multi-AZ database stand-in: endpoint, primary and standby with their zones. */
  database(): Promise<DatabaseTopology> {
    return this.#request('GET', '/database');
  }

  /**
   * A Multi-AZ failover of the database, as RebootDBInstance with ForceFailover does on RDS:
   * open sessions break, the standby is promoted, the endpoint moves; the old primary then
   * rejoins as the standby in the background. Refused (SANDBOX_DATABASE_NO_STANDBY) while the
   * standby is not in sync.
   */
  failoverDatabase(): Promise<DatabaseFailover> {
    return this.#request('POST', '/database/failover');
  }

  /** Waits until the standby streams again (rebuilding it if it is down); a no-op when it does. */
  rejoinStandby(): Promise<StandbyRejoin> {
    return this.#request('POST', '/database/rejoin');
  }

  async #request<T>(method: 'GET' | 'POST', path: string): Promise<T> {
    const url = `${this.state.controlUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.state.controlToken}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      // fetch's own message is "fetch failed"; the reason (ECONNREFUSED…) is its cause.
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      throw new SandboxLifecycleError(
        'SANDBOX_NOT_RUNNING',
        `the sandbox's control API (${this.state.controlUrl}) does not answer ` +
          `(${reason instanceof Error ? reason.message : String(reason)}); ` +
          "see 'stackproof sandbox status', or start it again with 'stackproof sandbox up'",
      );
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok) return body as T;
    if (isControlError(body)) {
      const { code, kind, message, valid } = body.error;
      if (code === 'SANDBOX_UNKNOWN_NODE' || code === 'SANDBOX_UNKNOWN_ZONE') {
        const name = decodeURIComponent(path.split('/')[2] ?? '');
        throw new SandboxTargetError(
          code === 'SANDBOX_UNKNOWN_NODE' ? 'node' : 'zone',
          name,
          valid ?? [],
        );
      }
      throw new StackproofError(code, kind, message);
    }
    throw new SandboxLifecycleError(
      'SANDBOX_CONTROL_FAILED',
      `${method} ${path} on the sandbox's control API answered HTTP ${response.status}`,
    );
  }
}
