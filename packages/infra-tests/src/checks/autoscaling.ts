import { describeAutoScalingGroups } from '../aws/autoscaling.ts';
import { awsOf, defineCheck, listText } from './check.ts';
import { nodegroupOf } from './eks.ts';

export const autoscalingMultiAz = defineCheck('autoscaling.multi-az', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const nodegroup = await nodegroupOf(ctx);
  const names = (nodegroup.resources?.autoScalingGroups ?? [])
    .map((g) => g.name ?? '')
    .filter((n) => n !== '');
  if (names.length === 0) {
    v.fail(
      nodegroup.nodegroupArn ?? '?',
      'the node group names no Auto Scaling group',
      "the node group's Auto Scaling group",
    );
    return;
  }
  const groups = await describeAutoScalingGroups(aws.clients.autoscaling, names);
  for (const name of names) {
    const group = groups.find((g) => g.AutoScalingGroupName === name);
    if (group === undefined) {
      v.fail(
        `asg ${name}`,
        `Auto Scaling group ${name} (of the node group) does not exist`,
        'the Auto Scaling group EKS created for the node group',
      );
      continue;
    }
    const zones = [...(group.AvailabilityZones ?? [])].sort();
    v.judge(
      zones.length >= ctx.expectations.azCount,
      group.AutoScalingGroupARN ?? name,
      `spans ${zones.length} AZs (${listText(zones)}), ${group.Instances?.length ?? 0} instances`,
      `at least ${ctx.expectations.azCount} AZs`,
      { data: { zones } },
    );
  }
});

export const AUTOSCALING_CHECKS = [autoscalingMultiAz];
