import { vpcLoadBalancers } from '../aws/elbv2.ts';
import { awsOf, defineCheck, listText } from './check.ts';

/**
 * The load balancers of the stack's VPC (the ingress controller's NLB on the reference stack):
 * each must have nodes in enough AZs.
 */
export const elbMultiAz = defineCheck('elb.multi-az', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const vpcId = ctx.outputs.string(ctx.live.workspaces.network, 'vpc_id');
  const balancers = await aws.once(`elbv2.load-balancers:${vpcId}`, () =>
    vpcLoadBalancers(aws.clients.elbv2, vpcId),
  );
  if (balancers.length === 0) {
    v.skip(
      vpcId,
      `no load balancer in ${vpcId}: the ingress controller of ${ctx.live.workspaces.addons} creates it${ctx.outputs.has(ctx.live.workspaces.addons) ? '' : ', and that workspace was not applied'}`,
    );
    return;
  }
  for (const lb of balancers) {
    const zones = [...new Set((lb.AvailabilityZones ?? []).map((z) => z.ZoneName ?? '?'))].sort();
    v.judge(
      zones.length >= ctx.expectations.azCount,
      lb.LoadBalancerArn ?? lb.LoadBalancerName ?? '?',
      `${lb.Type ?? 'load balancer'} ${lb.LoadBalancerName} in ${zones.length} AZs (${listText(zones)})`,
      `at least ${ctx.expectations.azCount} AZs`,
      { data: { zones } },
    );
  }
});

export const ELB_CHECKS = [elbMultiAz];
