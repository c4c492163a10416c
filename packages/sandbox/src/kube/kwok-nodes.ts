import { createHash } from 'node:crypto';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { DEFAULT_REGION, DEFAULT_ZONES, pollUntil } from '@stackproof/core';
import { KWOK_NODE_ANNOTATION, KWOK_NODE_ANNOTATION_VALUE } from './kwok.ts';

interface InstanceTypeSpec {
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** Pods per node with the VPC CNI without prefix delegation (ENIs x (IPs per ENI - 1) + 2). */
  readonly maxPods: number;
  readonly arch: 'amd64' | 'arm64';
}

/** EC2 instance types the fake nodes can be, with the figures an EKS node reports for them. */
export const INSTANCE_TYPES = {
  't3.medium': { vcpu: 2, memoryGiB: 4, maxPods: 17, arch: 'amd64' },
  't3.large': { vcpu: 2, memoryGiB: 8, maxPods: 35, arch: 'amd64' },
  'm6i.large': { vcpu: 2, memoryGiB: 8, maxPods: 29, arch: 'amd64' },
  'm6i.xlarge': { vcpu: 4, memoryGiB: 16, maxPods: 58, arch: 'amd64' },
  'm6i.2xlarge': { vcpu: 8, memoryGiB: 32, maxPods: 58, arch: 'amd64' },
  'c6i.large': { vcpu: 2, memoryGiB: 4, maxPods: 29, arch: 'amd64' },
  'c6i.xlarge': { vcpu: 4, memoryGiB: 8, maxPods: 58, arch: 'amd64' },
  'r6i.large': { vcpu: 2, memoryGiB: 16, maxPods: 29, arch: 'amd64' },
  'm7g.large': { vcpu: 2, memoryGiB: 8, maxPods: 29, arch: 'arm64' },
} as const satisfies Record<string, InstanceTypeSpec>;

export type InstanceType = keyof typeof INSTANCE_TYPES;

export interface FakeNodeSpec {
  readonly name: string;
  readonly zone: string;
  readonly instanceType: InstanceType;
  readonly nodegroup: string;
  /** Extra labels, merged over the EKS-like ones. */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Extra annotations, merged over the default ones (for example metricsNodeAnnotations(name),
   * which tells metrics-server where KWOK serves the node's resource metrics).
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Whether the node carries KWOK's annotation (default true). A node without it is left alone
   * by a KWOK started with the default selector, so it never becomes Ready.
   */
  readonly kwokManaged?: boolean;
  /**
   * The EC2 instance behind the node, `aws:///<zone>/<instance-id>` as on EKS (the sandbox's AWS
   * seed launches one per node). Default: a made-up id derived from the node's name.
   */
  readonly providerId?: string;
}

export interface NodeGroupOptions {
  readonly nodegroup: string;
  readonly instanceType: InstanceType;
  readonly zones?: readonly string[];
  readonly nodesPerZone?: number;
}

/** Node specs for one managed node group spread evenly over `zones` (default: the 3 zones). */
export function eksNodeGroup(options: NodeGroupOptions): FakeNodeSpec[] {
  const zones = options.zones ?? DEFAULT_ZONES;
  const perZone = options.nodesPerZone ?? 1;
  return zones.flatMap((zone) =>
    Array.from({ length: perZone }, (_, i) => ({
      name: `${options.nodegroup}-${zone}-${i}`,
      zone,
      instanceType: options.instanceType,
      nodegroup: options.nodegroup,
    })),
  );
}

/** `me-central-1a` → `me-central-1`. */
function regionOf(zone: string): string {
  return /^(.*\d)[a-z]$/.exec(zone)?.[1] ?? DEFAULT_REGION;
}

/**
 * Capacity and allocatable as an EKS AL2023 node reports them: memory capacity is the nominal
 * size less what the kernel keeps; allocatable subtracts the EKS AMI's kube-reserved
 * (CPU: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above; memory:
 * 255 MiB + 11 MiB per pod) and the 100 MiB hard eviction threshold.
 */
export function nodeResources(instanceType: InstanceType): {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
} {
  const spec: InstanceTypeSpec = INSTANCE_TYPES[instanceType];
  const memoryCapacityKi = Math.floor(spec.memoryGiB * 1024 * 1024 * 0.945);
  const reservedMiB = 255 + 11 * spec.maxPods + 100;
  let reservedMilliCpu = 0;
  for (let core = 1; core <= spec.vcpu; core++) {
    reservedMilliCpu += core === 1 ? 60 : core === 2 ? 10 : core <= 4 ? 5 : 2.5;
  }
  // 20 GiB gp3 root volume; 10% hard eviction threshold on nodefs.
  const storageCapacityKi = 20_959_212;
  const shared = { 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', pods: String(spec.maxPods) };
  return {
    capacity: {
      cpu: String(spec.vcpu),
      memory: `${memoryCapacityKi}Ki`,
      'ephemeral-storage': `${storageCapacityKi}Ki`,
      ...shared,
    },
    allocatable: {
      cpu: `${spec.vcpu * 1000 - Math.ceil(reservedMilliCpu)}m`,
      memory: `${memoryCapacityKi - reservedMiB * 1024}Ki`,
      'ephemeral-storage': `${Math.floor(storageCapacityKi * 0.9)}Ki`,
      ...shared,
    },
  };
}

/** The Node object a spec describes (not yet created). */
export function fakeNode(spec: FakeNodeSpec): V1Node {
  const type: InstanceTypeSpec = INSTANCE_TYPES[spec.instanceType];
  const providerId =
    spec.providerId ??
    `aws:///${spec.zone}/i-${createHash('sha256').update(spec.name).digest('hex').slice(0, 17)}`;
  const instanceId = providerId.slice(providerId.lastIndexOf('/') + 1);
  const resources = nodeResources(spec.instanceType);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': type.arch,
        'node.kubernetes.io/instance-type': spec.instanceType,
        'topology.kubernetes.io/region': regionOf(spec.zone),
        'topology.kubernetes.io/zone': spec.zone,
        'eks.amazonaws.com/nodegroup': spec.nodegroup,
        'eks.amazonaws.com/capacityType': 'ON_DEMAND',
        type: 'kwok',
        ...spec.labels,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        ...(spec.kwokManaged === false
          ? {}
          : { [KWOK_NODE_ANNOTATION]: KWOK_NODE_ANNOTATION_VALUE }),
        ...spec.annotations,
      },
    },
    spec: { providerID: providerId },
    status: {
      capacity: resources.capacity,
      allocatable: resources.allocatable,
      nodeInfo: {
        architecture: type.arch,
        operatingSystem: 'linux',
        osImage: 'Amazon Linux 2023 (KWOK fake node)',
        bootID: '',
        containerRuntimeVersion: '',
        kernelVersion: '',
        kubeProxyVersion: '',
        kubeletVersion: '',
        machineID: '',
        systemUUID: instanceId,
      },
    },
  };
}

function coreApi(kubeconfigPath: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc.makeApiClient(CoreV1Api);
}

/**
 * Creates the nodes (capacity, allocatable and labels set at creation, as a kubelet registers
 * itself). KWOK then makes the ones carrying its annotation Ready.
 */
export async function createKwokNodes(
  target: { readonly kubeconfigPath: string },
  specs: readonly FakeNodeSpec[],
): Promise<V1Node[]> {
  const api = coreApi(target.kubeconfigPath);
  return Promise.all(specs.map((spec) => api.createNode({ body: fakeNode(spec) })));
}

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Polls until every named node reports Ready=True, at most `timeoutMs`. */
export async function waitForNodesReady(
  target: { readonly kubeconfigPath: string },
  names: readonly string[],
  timeoutMs = 60_000,
): Promise<V1Node[]> {
  const api = coreApi(target.kubeconfigPath);
  return pollUntil(
    async () => {
      const nodes = await Promise.all(names.map((name) => api.readNode({ name })));
      return nodes.every(isNodeReady) ? nodes : undefined;
    },
    { what: `nodes ${names.join(', ')} to become Ready`, timeoutMs, intervalMs: 250 },
  );
}
