import type { Instance } from '@aws-sdk/client-ec2';
import { instanceVolumes, taggedInstances } from '../aws/ec2.ts';
import { awsOf, defineCheck, type LiveContext, sameKmsKey } from './check.ts';
import { clusterName } from './eks.ts';

/** The running instances EKS launched for the node group, found by the tags EKS puts on them. */
export function nodeInstances(ctx: LiveContext): Promise<Instance[]> {
  const aws = awsOf(ctx);
  const cluster = clusterName(ctx);
  const nodegroup = ctx.outputs.string(ctx.live.workspaces.cluster, 'node_group_name');
  return aws.once(`ec2.node-instances:${cluster}/${nodegroup}`, () =>
    taggedInstances(aws.clients.ec2, {
      'eks:cluster-name': cluster,
      'eks:nodegroup-name': nodegroup,
    }),
  );
}

export const imdsv2Required = defineCheck('ec2.imdsv2-required', 'aws', async (ctx, v) => {
  const instances = await nodeInstances(ctx);
  if (instances.length === 0) {
    v.fail(
      `node group of ${clusterName(ctx)}`,
      'no running instance carries the node group tags',
      'running node instances with IMDSv2 required',
    );
    return;
  }
  for (const instance of instances) {
    const m = instance.MetadataOptions;
    const hops = m?.HttpPutResponseHopLimit;
    v.judge(
      m?.HttpTokens === 'required' && hops !== undefined && hops <= ctx.live.maxImdsHopLimit,
      `${instance.InstanceId} (${instance.Placement?.AvailabilityZone})`,
      `IMDS tokens ${m?.HttpTokens ?? '?'}, hop limit ${hops ?? '?'}`,
      `tokens required, hop limit at most ${ctx.live.maxImdsHopLimit}`,
    );
  }
});

export const encryptedRoot = defineCheck(
  'ec2.launch-template-encrypted-root',
  'aws',
  async (ctx, v) => {
    const aws = awsOf(ctx);
    const key = ctx.outputs.string(ctx.live.workspaces.cluster, 'kms_key_arn');
    const instances = await nodeInstances(ctx);
    if (instances.length === 0) {
      v.fail(
        `node group of ${clusterName(ctx)}`,
        'no running instance carries the node group tags',
        'running node instances with encrypted root volumes',
      );
      return;
    }
    const ids = instances.map((i) => i.InstanceId ?? '').filter((id) => id !== '');
    const volumes = await aws.once(`ec2.volumes:${ids.join(',')}`, () =>
      instanceVolumes(aws.clients.ec2, ids),
    );
    for (const instance of instances) {
      const subject = `${instance.InstanceId} (${instance.Placement?.AvailabilityZone})`;
      const rootDevice = instance.RootDeviceName;
      const rootVolumeId = instance.BlockDeviceMappings?.find((b) => b.DeviceName === rootDevice)
        ?.Ebs?.VolumeId;
      const volume = volumes.find((vol) => vol.VolumeId === rootVolumeId);
      if (volume === undefined) {
        v.fail(
          subject,
          `no root volume found (root device ${rootDevice ?? 'unknown'})`,
          'an encrypted EBS root volume',
        );
        continue;
      }
      v.judge(
        volume.Encrypted === true && sameKmsKey(volume.KmsKeyId, key),
        subject,
        `root volume ${volume.VolumeId} ${volume.Encrypted === true ? `encrypted with ${volume.KmsKeyId}` : 'not encrypted'}`,
        `root volume encrypted with the cluster key ${key}`,
      );
    }
  },
);

export const EC2_CHECKS = [imdsv2Required, encryptedRoot];
