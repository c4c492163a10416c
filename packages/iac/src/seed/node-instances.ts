import {
  AttachInstancesCommand,
  CreateAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  type BlockDeviceMapping,
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSubnetsCommand,
  type InstanceMetadataOptionsRequest,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { SeedClients } from './handler.ts';

/** A Kubernetes node that needs an EC2 instance behind it (a KWOK node of the sandbox). */
export interface SeedNode {
  readonly name: string;
  readonly zone: string;
}

/**
 * What moto does not do with a launch template and EC2 does: apply its metadata options and make
 * its block device the root volume (moto keeps its own unencrypted default root and adds the
 * template's device beside it). The seed passes both explicitly, with an AMI whose root device is
 * the template's, as the EKS-optimised AMI's is.
 */
export const NODE_INSTANCE_NOTE =
  "moto applies neither the launch template's metadata options nor its root block device to RunInstances; the seed passes both as EC2 applies them";

export interface NodeInstance {
  readonly node: string;
  readonly zone: string;
  readonly instanceId: string;
  /** `aws:///<zone>/<instance-id>`: the node's spec.providerID, as on EKS. */
  readonly providerId: string;
}

export interface NodeGroupShape {
  readonly clusterName: string;
  readonly nodegroupName: string;
  readonly autoScalingGroupName: string;
  readonly launchTemplateId: string;
  readonly launchTemplateVersion: string;
  readonly subnetIds: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
}

/** The tags EKS puts on the instances of a managed node group. */
export function eksNodeTags(shape: NodeGroupShape): Record<string, string> {
  return {
    'eks:cluster-name': shape.clusterName,
    'eks:nodegroup-name': shape.nodegroupName,
    [`kubernetes.io/cluster/${shape.clusterName}`]: 'owned',
    [`k8s.io/cluster-autoscaler/${shape.clusterName}`]: 'owned',
    'k8s.io/cluster-autoscaler/enabled': 'true',
  };
}

/**
 * What EKS does for a managed node group and moto does not: the node group's Auto Scaling group
 * over its subnets, and an instance per node launched from the node group's launch template in
 * the node's zone, tagged as EKS tags its nodes. Each instance is attached to the group, whose
 * size is then the node count, so the group launches nothing of its own.
 */
export async function seedNodeInstances(
  clients: SeedClients,
  shape: NodeGroupShape,
  nodes: readonly SeedNode[],
): Promise<NodeInstance[]> {
  const subnets =
    (await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...shape.subnetIds] })))
      .Subnets ?? [];
  const subnetOfZone = new Map(subnets.map((s) => [s.AvailabilityZone ?? '', s.SubnetId ?? '']));
  const first = subnets[0];
  if (first === undefined) throw new Error(`node group ${shape.nodegroupName} has no subnet`);
  const tags = eksNodeTags(shape);
  const template = (
    await clients.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: shape.launchTemplateId,
        Versions: [shape.launchTemplateVersion],
      }),
    )
  ).LaunchTemplateVersions?.[0]?.LaunchTemplateData;
  const devices: BlockDeviceMapping[] = (template?.BlockDeviceMappings ?? []).map((b) => ({
    DeviceName: b.DeviceName,
    ...(b.Ebs !== undefined
      ? {
          Ebs: {
            VolumeSize: b.Ebs.VolumeSize,
            VolumeType: b.Ebs.VolumeType,
            Encrypted: b.Ebs.Encrypted,
            KmsKeyId: b.Ebs.KmsKeyId,
            DeleteOnTermination: b.Ebs.DeleteOnTermination,
          },
        }
      : {}),
  }));
  const rootDevice = devices[0]?.DeviceName ?? '/dev/xvda';
  const image = (
    await clients.ec2.send(
      new DescribeImagesCommand({
        Owners: ['amazon'],
        Filters: [{ Name: 'root-device-name', Values: [rootDevice] }],
      }),
    )
  ).Images?.[0]?.ImageId;
  const metadata: InstanceMetadataOptionsRequest | undefined =
    template?.MetadataOptions === undefined
      ? undefined
      : {
          HttpTokens: template.MetadataOptions.HttpTokens,
          HttpEndpoint: template.MetadataOptions.HttpEndpoint,
          HttpPutResponseHopLimit: template.MetadataOptions.HttpPutResponseHopLimit,
        };
  const instances: NodeInstance[] = [];
  for (const node of nodes) {
    // A node in a zone the node group does not cover cannot exist on EKS; it lands in the
    // group's first subnet (its instance's zone then differs from the node's label).
    const subnetId = subnetOfZone.get(node.zone) ?? first.SubnetId ?? '';
    const out = await clients.ec2.send(
      new RunInstancesCommand({
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
        LaunchTemplate: {
          LaunchTemplateId: shape.launchTemplateId,
          Version: shape.launchTemplateVersion,
        },
        ...(image !== undefined ? { ImageId: image } : {}),
        ...(devices.length > 0 ? { BlockDeviceMappings: devices } : {}),
        ...(metadata !== undefined ? { MetadataOptions: metadata } : {}),
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          },
        ],
      }),
    );
    const instance = out.Instances?.[0];
    const zone = instance?.Placement?.AvailabilityZone ?? node.zone;
    const instanceId = instance?.InstanceId ?? '';
    instances.push({
      node: node.name,
      zone,
      instanceId,
      providerId: `aws:///${zone}/${instanceId}`,
    });
  }
  await clients.autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: shape.autoScalingGroupName,
      LaunchTemplate: {
        LaunchTemplateId: shape.launchTemplateId,
        Version: shape.launchTemplateVersion,
      },
      MinSize: 0,
      MaxSize: Math.max(shape.maxSize, nodes.length),
      DesiredCapacity: 0,
      VPCZoneIdentifier: shape.subnetIds.join(','),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: true })),
    }),
  );
  if (instances.length > 0) {
    await clients.autoscaling.send(
      new AttachInstancesCommand({
        AutoScalingGroupName: shape.autoScalingGroupName,
        InstanceIds: instances.map((i) => i.instanceId),
      }),
    );
  }
  await clients.autoscaling.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: shape.autoScalingGroupName,
      MinSize: Math.min(shape.minSize, instances.length),
      MaxSize: Math.max(shape.maxSize, instances.length),
      DesiredCapacity: instances.length,
    }),
  );
  return instances;
}
