import {
  type AutoScalingClient,
  type AutoScalingGroup,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';

/** The IAM actions these reads need. */
export const AUTOSCALING_ACTIONS = ['autoscaling:DescribeAutoScalingGroups'] as const;

export async function describeAutoScalingGroups(
  autoscaling: AutoScalingClient,
  names: readonly string[],
): Promise<AutoScalingGroup[]> {
  if (names.length === 0) return [];
  const out: AutoScalingGroup[] = [];
  for await (const page of paginateDescribeAutoScalingGroups(
    { client: autoscaling, pageSize: 100 },
    { AutoScalingGroupNames: [...names] },
  )) {
    out.push(...(page.AutoScalingGroups ?? []));
  }
  return out;
}
