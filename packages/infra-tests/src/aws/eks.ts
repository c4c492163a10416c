import {
  type Cluster,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  type Nodegroup,
} from '@aws-sdk/client-eks';

/** The IAM actions these reads need. */
export const EKS_ACTIONS = ['eks:DescribeCluster', 'eks:DescribeNodegroup'] as const;

export async function describeCluster(eks: EKSClient, name: string): Promise<Cluster> {
  const out = await eks.send(new DescribeClusterCommand({ name }));
  if (out.cluster === undefined) throw new Error(`DescribeCluster ${name} returned no cluster`);
  return out.cluster;
}

export async function describeNodegroup(
  eks: EKSClient,
  clusterName: string,
  nodegroupName: string,
): Promise<Nodegroup> {
  const out = await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
  if (out.nodegroup === undefined) {
    throw new Error(`DescribeNodegroup ${clusterName}/${nodegroupName} returned no node group`);
  }
  return out.nodegroup;
}
