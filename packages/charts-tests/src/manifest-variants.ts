/**
 * The manifest fixtures the policy gate is tested on: the compliant render of the workloads
 * chart plus variants, each broken through values only (no hand-edited YAML), each naming the
 * property ids it breaks. The ids are the ones the policy gate, the live suite and the chaos
 * reports share: one id, three proofs (the catalogue, docs/properties.md).
 */
export interface ManifestVariant {
  /** File stem: fixtures/manifests/<name>.yaml and fixtures/manifest-values/<name>.yaml. */
  readonly name: string;
  readonly description: string;
  /** Values applied over the chart defaults; empty for the compliant render. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Property ids this variant breaks; empty means every property holds. */
  readonly breaks: readonly string[];
}

export const propertyIds = {
  replicasMin: 'k8s.replicas-min',
  pdbAllowsDisruption: 'k8s.pdb-allows-disruption',
  topologySpreadZone: 'k8s.topology-spread-zone',
  securityContext: 'k8s.security-context',
  resourceLimits: 'k8s.resource-limits',
  probes: 'k8s.probes',
} as const;

export const manifestVariants: readonly ManifestVariant[] = [
  {
    name: 'compliant',
    description: 'The chart defaults: every property holds.',
    values: {},
    breaks: [],
  },
  {
    name: 'one-replica',
    description:
      'Replica floor of 1 for both services (HPA minReplicas 1): one pod loss is an outage.',
    values: { backendReplicas: 1, frontendReplicas: 1 },
    breaks: [propertyIds.replicasMin],
  },
  {
    name: 'no-pdb',
    description: 'No PodDisruptionBudget: a node drain may evict every pod of a service at once.',
    values: { podDisruptionBudgetEnabled: false },
    breaks: [propertyIds.pdbAllowsDisruption],
  },
  {
    name: 'pdb-blocks-drain',
    description:
      'PodDisruptionBudget with maxUnavailable 0: no voluntary disruption is allowed, node drains hang.',
    values: { podDisruptionBudgetMaxUnavailable: 0 },
    breaks: [propertyIds.pdbAllowsDisruption],
  },
  {
    name: 'no-spread',
    description: 'No topologySpreadConstraints: the scheduler may put every pod in one zone.',
    values: { topologySpreadEnabled: false },
    breaks: [propertyIds.topologySpreadZone],
  },
  {
    name: 'privileged',
    description:
      'Privileged root containers: privilege escalation, writable root filesystem, added capabilities, seccomp Unconfined.',
    values: {
      podSecurityContext: {
        runAsNonRoot: false,
        runAsUser: 0,
        runAsGroup: 0,
        fsGroup: 0,
        seccompProfile: { type: 'Unconfined' },
      },
      containerSecurityContext: {
        runAsNonRoot: false,
        runAsUser: 0,
        runAsGroup: 0,
        privileged: true,
        allowPrivilegeEscalation: true,
        readOnlyRootFilesystem: false,
        capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'], drop: [] },
        seccompProfile: { type: 'Unconfined' },
      },
    },
    breaks: [propertyIds.securityContext],
  },
  {
    name: 'no-limits',
    description: 'Requests without limits: one busy pod can starve its node.',
    values: { backendResources: { limits: null }, frontendResources: { limits: null } },
    breaks: [propertyIds.resourceLimits],
  },
  {
    name: 'no-probes',
    description:
      'No readiness or liveness probes: traffic reaches pods that are not ready, hung pods live on.',
    values: { probesEnabled: false },
    breaks: [propertyIds.probes],
  },
];
