import type { Cluster, Nodegroup } from '@aws-sdk/client-eks';
import { describeCluster, describeNodegroup } from '../aws/eks.ts';
import { isNodeReady, zoneOfNode } from '../k8s/kube-reads.ts';
import {
  type AwsSide,
  awsOf,
  defineCheck,
  type LiveContext,
  listText,
  sameKmsKey,
  type Verdicts,
} from './check.ts';
import { subnetsOf } from './network.ts';

export function clusterName(ctx: LiveContext): string {
  return ctx.outputs.string(ctx.live.workspaces.cluster, 'cluster_name');
}

export function clusterOf(ctx: LiveContext): Promise<Cluster> {
  const aws = awsOf(ctx);
  const name = clusterName(ctx);
  return aws.once(`eks.cluster:${name}`, () => describeCluster(aws.clients.eks, name));
}

export function nodegroupOf(ctx: LiveContext): Promise<Nodegroup> {
  const aws = awsOf(ctx);
  const cluster = clusterName(ctx);
  const name = ctx.outputs.string(ctx.live.workspaces.cluster, 'node_group_name');
  return aws.once(`eks.nodegroup:${cluster}/${name}`, () =>
    describeNodegroup(aws.clients.eks, cluster, name),
  );
}

export const eksPrivateEndpoint = defineCheck('eks.private-endpoint', 'aws', async (ctx, v) => {
  const cluster = await clusterOf(ctx);
  const vpc = cluster.resourcesVpcConfig;
  const cidrs = vpc?.publicAccessCidrs ?? [];
  const allowed = new Set(ctx.live.publicAccessCidrs);
  const strangers = cidrs.filter((c) => !allowed.has(c));
  const publicOk =
    vpc?.endpointPublicAccess !== true || (cidrs.length > 0 && strangers.length === 0);
  v.judge(
    vpc?.endpointPrivateAccess === true && publicOk,
    cluster.arn ?? cluster.name ?? '?',
    `private endpoint ${vpc?.endpointPrivateAccess === true ? 'on' : 'off'}, public endpoint ${vpc?.endpointPublicAccess === true ? `on for ${listText(cidrs)}` : 'off'}`,
    ctx.live.publicAccessCidrs.length === 0
      ? 'private endpoint only'
      : `private endpoint, public only for ${listText(ctx.live.publicAccessCidrs)}`,
    { data: { publicAccessCidrs: cidrs } },
  );
});

export const eksSecretsEncryption = defineCheck('eks.secrets-encryption', 'aws', async (ctx, v) => {
  const cluster = await clusterOf(ctx);
  const key = ctx.outputs.string(ctx.live.workspaces.cluster, 'kms_key_arn');
  const config = (cluster.encryptionConfig ?? []).find((c) => c.resources?.includes('secrets'));
  const used = config?.provider?.keyArn;
  v.judge(
    sameKmsKey(used, key),
    cluster.arn ?? cluster.name ?? '?',
    config === undefined
      ? 'Secrets are not envelope-encrypted'
      : `Secrets envelope-encrypted with ${used}`,
    `Secrets envelope-encrypted with the cluster key ${key}`,
  );
});

export const eksControlPlaneLogs = defineCheck('eks.control-plane-logs', 'aws', async (ctx, v) => {
  const cluster = await clusterOf(ctx);
  const enabled = new Set(
    (cluster.logging?.clusterLogging ?? [])
      .filter((l) => l.enabled === true)
      .flatMap((l) => l.types ?? []),
  );
  const missing = ctx.live.controlPlaneLogTypes.filter((t) => !enabled.has(t as never));
  v.judge(
    missing.length === 0,
    cluster.arn ?? cluster.name ?? '?',
    `log types on: ${listText([...enabled].map(String).sort())}`,
    `all of ${listText(ctx.live.controlPlaneLogTypes)}${missing.length > 0 ? ` (off: ${listText(missing)})` : ''}`,
  );
});

/** The Kubernetes half of the node group properties: Ready nodes, counted per zone. */
async function readyNodesPerZone(ctx: LiveContext, v: Verdicts, minPerZone: number): Promise<void> {
  if (ctx.kube === undefined) return;
  const nodes = await ctx.kube.nodes();
  const perZone: Record<string, number> = {};
  for (const node of nodes) {
    const zone = zoneOfNode(node) ?? '(no zone label)';
    perZone[zone] = (perZone[zone] ?? 0) + (isNodeReady(node) ? 1 : 0);
  }
  const zones = Object.entries(perZone)
    .filter(([, n]) => n >= minPerZone)
    .map(([z]) => z)
    .sort();
  v.judge(
    zones.length >= ctx.expectations.azCount,
    `nodes of ${clusterName(ctx)}`,
    `Ready nodes per zone: ${listText(
      Object.entries(perZone)
        .sort()
        .map(([z, n]) => `${z} ${n}`),
    )}`,
    `at least ${minPerZone} Ready node in each of ${ctx.expectations.azCount} zones`,
    { check: 'ready-nodes-per-zone', data: { readyNodesPerZone: perZone } },
  );
}

async function nodegroupZones(
  aws: AwsSide,
  ctx: LiveContext,
  nodegroup: Nodegroup,
): Promise<string[]> {
  const vpcId = ctx.outputs.string(ctx.live.workspaces.network, 'vpc_id');
  const subnets = await subnetsOf(aws, vpcId);
  const zoneOf = new Map(subnets.map((s) => [s.SubnetId, s.AvailabilityZone ?? '?']));
  return [
    ...new Set((nodegroup.subnets ?? []).map((s) => zoneOf.get(s) ?? `${s} (not in ${vpcId})`)),
  ].sort();
}

export const eksNodegroupMultiAz = defineCheck('eks.nodegroup-multi-az', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const nodegroup = await nodegroupOf(ctx);
  const zones = await nodegroupZones(aws, ctx, nodegroup);
  v.judge(
    zones.length >= ctx.expectations.azCount,
    nodegroup.nodegroupArn ?? nodegroup.nodegroupName ?? '?',
    `${nodegroup.subnets?.length ?? 0} subnets in ${zones.length} AZs (${listText(zones)})`,
    `subnets in at least ${ctx.expectations.azCount} AZs`,
    { check: 'nodegroup-subnets', data: { zones } },
  );
  await readyNodesPerZone(ctx, v, 1);
});

export const eksNodegroupMinSize = defineCheck('eks.nodegroup-min-size', 'aws', async (ctx, v) => {
  const nodegroup = await nodegroupOf(ctx);
  const scaling = nodegroup.scalingConfig;
  v.judge(
    (scaling?.minSize ?? 0) >= ctx.expectations.azCount,
    nodegroup.nodegroupArn ?? nodegroup.nodegroupName ?? '?',
    `min ${scaling?.minSize ?? '?'}, desired ${scaling?.desiredSize ?? '?'}, max ${scaling?.maxSize ?? '?'}`,
    `min size at least ${ctx.expectations.azCount} (one node per AZ)`,
    { check: 'scaling-config' },
  );
  await readyNodesPerZone(ctx, v, 1);
});

export const eksAccessEntries = defineCheck('eks.access-entries', 'aws', async (ctx, v) => {
  const cluster = await clusterOf(ctx);
  const subject = cluster.arn ?? cluster.name ?? '?';
  const access = cluster.accessConfig;
  if (access === undefined) {
    // EKS always returns accessConfig; an endpoint that does not is an emulator's gap.
    v.skip(
      subject,
      'DescribeCluster returned no accessConfig: the endpoint does not implement EKS access entries',
    );
    return;
  }
  v.judge(
    access.authenticationMode === 'API' && access.bootstrapClusterCreatorAdminPermissions !== true,
    subject,
    `authentication mode ${access.authenticationMode ?? '?'}, creator admin ${access.bootstrapClusterCreatorAdminPermissions === true ? 'granted' : 'not granted'}`,
    'authentication mode API, no implicit cluster-creator admin',
  );
});

export const EKS_CHECKS = [
  eksPrivateEndpoint,
  eksSecretsEncryption,
  eksControlPlaneLogs,
  eksNodegroupMultiAz,
  eksNodegroupMinSize,
  eksAccessEntries,
];
