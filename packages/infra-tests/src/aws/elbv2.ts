import {
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
  paginateDescribeLoadBalancers,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/** The IAM actions these reads need. */
export const ELBV2_ACTIONS = ['elasticloadbalancing:DescribeLoadBalancers'] as const;

/** Load balancers (ALB, NLB) of one VPC; the API has no VPC filter, so the page is filtered here. */
export async function vpcLoadBalancers(
  elbv2: ElasticLoadBalancingV2Client,
  vpcId: string,
): Promise<LoadBalancer[]> {
  const out: LoadBalancer[] = [];
  for await (const page of paginateDescribeLoadBalancers({ client: elbv2, pageSize: 400 }, {})) {
    out.push(...(page.LoadBalancers ?? []).filter((lb) => lb.VpcId === vpcId));
  }
  return out;
}
