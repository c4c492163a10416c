import type { ParseResult } from '@stackproof/core';

/**
 * The `live` section of the expectations file: which workspace plays which part, and the few
 * thresholds the live checks hold the stack to. Every key is optional; the defaults describe the
 * reference stack in terraform/aws.
 */
export interface LiveExpectations {
  readonly workspaces: {
    /** State bucket, lock table and the stackproof role policies (`_tfstate`). */
    readonly state: string;
    /** VPC, subnets, NAT gateways (`network`). */
    readonly network: string;
    /** EKS cluster and node group (`eks/prod1/infra`). */
    readonly cluster: string;
    /** In-cluster add-ons installed with Helm (`eks/prod1/k8s`). */
    readonly addons: string;
    /** RDS PostgreSQL (`rds`). */
    readonly database: string;
    /** One workspace per service: ECR repository and Pod Identity role (`services/<name>`). */
    readonly services: readonly string[];
  };
  /** Subnet tiers (the `stackproof.io/tier` tag) that must each span azCount AZs. */
  readonly tiers: readonly string[];
  /** CIDRs the EKS public endpoint may admit (empty: the endpoint must be private only). */
  readonly publicAccessCidrs: readonly string[];
  /** Control-plane log types that must be on. */
  readonly controlPlaneLogTypes: readonly string[];
  /** Highest IMDS PUT response hop limit accepted on the nodes. */
  readonly maxImdsHopLimit: number;
  /** Fewest days of automated RDS backups. */
  readonly minBackupRetentionDays: number;
  /** Coarsest enhanced monitoring interval accepted, in seconds. */
  readonly maxMonitoringIntervalSeconds: number;
  /** RDS log types that must be exported to CloudWatch. */
  readonly rdsLogExports: readonly string[];
}

export const DEFAULT_LIVE_EXPECTATIONS: LiveExpectations = {
  workspaces: {
    state: '_tfstate',
    network: 'network',
    cluster: 'eks/prod1/infra',
    addons: 'eks/prod1/k8s',
    database: 'rds',
    services: ['services/backend', 'services/frontend'],
  },
  tiers: ['public', 'private', 'database'],
  publicAccessCidrs: [],
  controlPlaneLogTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
  maxImdsHopLimit: 1,
  minBackupRetentionDays: 7,
  maxMonitoringIntervalSeconds: 15,
  rdsLogExports: ['postgresql'],
};

/** Every workspace the live section names (the outputs directory may hold only these). */
export function liveWorkspaces(live: LiveExpectations): string[] {
  const w = live.workspaces;
  return [w.state, w.network, w.cluster, w.addons, w.database, ...w.services];
}

const WORKSPACE_ROLES = ['state', 'network', 'cluster', 'addons', 'database'] as const;
const WORKSPACE_NAME = /^[a-z0-9_][a-z0-9_-]*(\/[a-z0-9_][a-z0-9_-]*)*$/;

function isStringList(value: unknown, test: (s: string) => boolean = () => true): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === 'string' && test(v));
}

/** Parses the `live` section (`undefined`: the defaults), reporting every problem at once. */
export function parseLiveExpectations(raw: unknown): ParseResult<LiveExpectations> {
  const warnings: string[] = [];
  const errors: string[] = [];
  if (raw === undefined) return { config: DEFAULT_LIVE_EXPECTATIONS, warnings, errors };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { config: undefined, warnings, errors: ['live must be an object'] };
  }
  const input = raw as Record<string, unknown>;
  const d = DEFAULT_LIVE_EXPECTATIONS;
  const known = new Set([...Object.keys(d), '$comment']);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) warnings.push(`live: unknown key '${key}' is ignored (typo?)`);
  }

  const workspaces: Record<string, unknown> = { ...d.workspaces };
  if (input.workspaces !== undefined) {
    const given = input.workspaces;
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      errors.push('live.workspaces must be an object');
    } else {
      for (const [role, value] of Object.entries(given)) {
        if (role === 'services') {
          if (!isStringList(value, (s) => WORKSPACE_NAME.test(s))) {
            errors.push('live.workspaces.services must be a list of workspace paths');
          } else workspaces.services = value;
        } else if ((WORKSPACE_ROLES as readonly string[]).includes(role)) {
          if (typeof value !== 'string' || !WORKSPACE_NAME.test(value)) {
            errors.push(`live.workspaces.${role} must be a workspace path such as eks/prod1/infra`);
          } else workspaces[role] = value;
        } else {
          warnings.push(
            `live.workspaces: unknown role '${role}' is ignored (roles: ${[...WORKSPACE_ROLES, 'services'].join(', ')})`,
          );
        }
      }
    }
  }

  const list = (key: 'tiers' | 'publicAccessCidrs' | 'controlPlaneLogTypes' | 'rdsLogExports') => {
    const value = input[key];
    if (value === undefined) return d[key];
    if (!isStringList(value)) {
      errors.push(`live.${key} must be a list of strings`);
      return d[key];
    }
    return value as string[];
  };
  const number = (
    key: 'maxImdsHopLimit' | 'minBackupRetentionDays' | 'maxMonitoringIntervalSeconds',
    min: number,
    max: number,
  ) => {
    const value = input[key];
    if (value === undefined) return d[key];
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      errors.push(
        `live.${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
      return d[key];
    }
    return value as number;
  };
  const config: LiveExpectations = {
    workspaces: workspaces as LiveExpectations['workspaces'],
    tiers: list('tiers'),
    publicAccessCidrs: list('publicAccessCidrs'),
    controlPlaneLogTypes: list('controlPlaneLogTypes'),
    maxImdsHopLimit: number('maxImdsHopLimit', 1, 64),
    minBackupRetentionDays: number('minBackupRetentionDays', 1, 35),
    maxMonitoringIntervalSeconds: number('maxMonitoringIntervalSeconds', 1, 60),
    rdsLogExports: list('rdsLogExports'),
  };
  if (config.publicAccessCidrs.includes('0.0.0.0/0')) {
    errors.push('live.publicAccessCidrs must not contain 0.0.0.0/0 (that is no restriction)');
  }
  if (errors.length > 0) return { config: undefined, warnings, errors };
  return { config, warnings, errors };
}
