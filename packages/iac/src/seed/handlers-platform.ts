import {
  CreateLaunchTemplateCommand,
  type LaunchTemplateBlockDeviceMappingRequest,
} from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, CreateNodegroupCommand, type LogType } from '@aws-sdk/client-eks';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateDBInstanceCommand,
  CreateDBParameterGroupCommand,
  CreateDBSubnetGroupCommand,
  ModifyDBParameterGroupCommand,
} from '@aws-sdk/client-rds';
import { ec2Tags, NotHeldError, type ResourceHandler } from './handler.ts';

// IAM roles, EKS, launch templates, RDS and ECR (terraform/modules/eks-cluster, rds-postgres,
// service and the flow-log role of vpc).

/** Terraform's name_prefix: the prefix and a unique suffix (26 characters in the provider). */
function fromPrefix(prefix: string, address: string): string {
  let hash = 0;
  for (const ch of address) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `${prefix}${hash.toString(16).padStart(8, '0')}`;
}

export const iamRole: ResourceHandler = async (v, { clients, tags }) => {
  const name = v.str('name');
  const out = await clients.iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: v.str('assume_role_policy'),
      ...(v.has('description') ? { Description: v.str('description') } : {}),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return { attributes: { id: name, name, arn: out.Role?.Arn, unique_id: out.Role?.RoleId } };
};

export const iamRolePolicy: ResourceHandler = async (v, { clients }) => {
  await clients.iam.send(
    new PutRolePolicyCommand({
      RoleName: v.str('role'),
      PolicyName: v.str('name'),
      PolicyDocument: v.str('policy'),
    }),
  );
  return { attributes: { id: `${v.str('role')}:${v.str('name')}` } };
};

export const iamRolePolicyAttachment: ResourceHandler = async (v, { clients }) => {
  const policyArn = v.str('policy_arn');
  try {
    await clients.iam.send(
      new AttachRolePolicyCommand({ RoleName: v.str('role'), PolicyArn: policyArn }),
    );
  } catch (error) {
    // moto knows AWS managed policies only when started with MOTO_IAM_LOAD_MANAGED_POLICIES=true.
    if (
      (error as Error).name === 'NoSuchEntityException' &&
      policyArn.includes(':iam::aws:policy/')
    ) {
      throw new NotHeldError(`the emulator does not hold the AWS managed policy ${policyArn}`);
    }
    throw error;
  }
  return { attributes: { id: `${v.str('role')}-${policyArn}` } };
};

export const eksCluster: ResourceHandler = async (v, { clients, tags }) => {
  const name = v.str('name');
  const vpc = v.block('vpc_config');
  const access = v.block('access_config');
  const logTypes = v.strs('enabled_cluster_log_types');
  const encryption = v.blocks('encryption_config');
  const out = await clients.eks.send(
    new CreateClusterCommand({
      name,
      version: v.optStr('version'),
      roleArn: v.str('role_arn'),
      resourcesVpcConfig: {
        subnetIds: vpc?.strs('subnet_ids'),
        securityGroupIds: vpc?.strs('security_group_ids'),
        endpointPrivateAccess: vpc?.bool('endpoint_private_access') === true,
        endpointPublicAccess: vpc?.bool('endpoint_public_access') === true,
        ...(vpc?.strs('public_access_cidrs').length
          ? { publicAccessCidrs: vpc.strs('public_access_cidrs') }
          : {}),
      },
      logging: { clusterLogging: [{ types: logTypes as LogType[], enabled: true }] },
      ...(encryption.length > 0
        ? {
            encryptionConfig: encryption.map((e) => ({
              resources: e.strs('resources'),
              provider: { keyArn: e.block('provider')?.str('key_arn') },
            })),
          }
        : {}),
      ...(access !== undefined
        ? {
            accessConfig: {
              authenticationMode: access.str('authentication_mode') as 'API',
              bootstrapClusterCreatorAdminPermissions:
                access.bool('bootstrap_cluster_creator_admin_permissions') === true,
            },
          }
        : {}),
      tags: { ...tags },
    }),
  );
  const cluster = out.cluster;
  const notes: string[] = [];
  if (cluster?.accessConfig === undefined && access !== undefined) {
    notes.push('access_config accepted but not returned by DescribeCluster (moto 5.2.1)');
  }
  return {
    attributes: {
      id: name,
      name,
      arn: cluster?.arn,
      endpoint: cluster?.endpoint,
      version: cluster?.version,
      certificate_authority: [{ data: cluster?.certificateAuthority?.data ?? null }],
      vpc_config: [
        { cluster_security_group_id: cluster?.resourcesVpcConfig?.clusterSecurityGroupId ?? null },
      ],
    },
    notes,
  };
};

export const launchTemplate: ResourceHandler = async (v, { clients, address, tags }) => {
  const name = v.optStr('name') ?? fromPrefix(v.optStr('name_prefix') ?? 'terraform-', address);
  const metadata = v.block('metadata_options');
  const data = {
    ...(v.strs('vpc_security_group_ids').length > 0
      ? { SecurityGroupIds: v.strs('vpc_security_group_ids').filter((s) => s !== '') }
      : {}),
    ...(metadata !== undefined
      ? {
          MetadataOptions: {
            HttpEndpoint: (metadata.optStr('http_endpoint') ?? 'enabled') as 'enabled',
            HttpTokens: (metadata.optStr('http_tokens') ?? 'optional') as 'required',
            ...(metadata.num('http_put_response_hop_limit') !== undefined
              ? { HttpPutResponseHopLimit: metadata.num('http_put_response_hop_limit') }
              : {}),
          },
        }
      : {}),
    BlockDeviceMappings: v
      .blocks('block_device_mappings')
      .map((b): LaunchTemplateBlockDeviceMappingRequest => {
        const ebs = b.block('ebs');
        return {
          DeviceName: b.str('device_name'),
          ...(ebs !== undefined
            ? {
                Ebs: {
                  VolumeSize: ebs.num('volume_size'),
                  VolumeType: ebs.optStr('volume_type') as 'gp3',
                  Encrypted: ebs.bool('encrypted') === true,
                  ...(ebs.optStr('kms_key_id') !== undefined
                    ? { KmsKeyId: ebs.str('kms_key_id') }
                    : {}),
                  DeleteOnTermination: ebs.bool('delete_on_termination') !== false,
                },
              }
            : {}),
        };
      }),
    TagSpecifications: v.blocks('tag_specifications').map((t) => ({
      ResourceType: t.str('resource_type') as 'instance',
      Tags: ec2Tags(t.map('tags')),
    })),
  };
  const out = await clients.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: name,
      LaunchTemplateData: data,
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: ec2Tags(tags) }],
    }),
  );
  const template = out.LaunchTemplate;
  return {
    attributes: {
      id: template?.LaunchTemplateId,
      name,
      latest_version: template?.LatestVersionNumber ?? 1,
      default_version: template?.DefaultVersionNumber ?? 1,
    },
  };
};

export const eksNodeGroup: ResourceHandler = async (v, { clients, tags }) => {
  const scaling = v.block('scaling_config');
  const template = v.block('launch_template');
  const out = await clients.eks.send(
    new CreateNodegroupCommand({
      clusterName: v.str('cluster_name'),
      nodegroupName: v.str('node_group_name'),
      nodeRole: v.str('node_role_arn'),
      subnets: v.strs('subnet_ids'),
      instanceTypes: v.strs('instance_types'),
      capacityType: (v.optStr('capacity_type') ?? 'ON_DEMAND') as 'ON_DEMAND',
      ...(v.has('version') ? { version: v.str('version') } : {}),
      scalingConfig: {
        minSize: scaling?.num('min_size'),
        desiredSize: scaling?.num('desired_size'),
        maxSize: scaling?.num('max_size'),
      },
      ...(v.block('update_config') !== undefined
        ? { updateConfig: { maxUnavailable: v.block('update_config')?.num('max_unavailable') } }
        : {}),
      ...(template !== undefined
        ? {
            launchTemplate: {
              id: template.str('id'),
              version: String(template.raw.version ?? '$Latest'),
            },
          }
        : {}),
      labels: v.map('labels'),
      tags: { ...tags },
    }),
  );
  const ng = out.nodegroup;
  return {
    attributes: {
      id: `${v.str('cluster_name')}:${v.str('node_group_name')}`,
      node_group_name: ng?.nodegroupName,
      arn: ng?.nodegroupArn,
      resources: [
        {
          autoscaling_groups: (ng?.resources?.autoScalingGroups ?? []).map((g) => ({
            name: g.name,
          })),
        },
      ],
    },
  };
};

/** EKS resources moto 5.2.1 has no API for (measured in packages/sandbox's aws-moto-gaps test). */
export const eksNotHeld: ResourceHandler = async (_v, { address }) => {
  throw new NotHeldError(
    `moto 5.2.1 has no API for ${address.split('.').slice(-2)[0]} (EKS access entries, add-ons and Pod Identity associations answer 404)`,
  );
};

export const dbSubnetGroup: ResourceHandler = async (v, { clients, tags }) => {
  const name = v.str('name');
  const out = await clients.rds.send(
    new CreateDBSubnetGroupCommand({
      DBSubnetGroupName: name,
      DBSubnetGroupDescription: v.optStr('description') ?? 'Managed by Terraform',
      SubnetIds: v.strs('subnet_ids'),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return { attributes: { id: name, name, arn: out.DBSubnetGroup?.DBSubnetGroupArn } };
};

export const dbParameterGroup: ResourceHandler = async (v, { clients, address, tags }) => {
  const name = v.optStr('name') ?? fromPrefix(v.optStr('name_prefix') ?? 'terraform-', address);
  const out = await clients.rds.send(
    new CreateDBParameterGroupCommand({
      DBParameterGroupName: name,
      DBParameterGroupFamily: v.str('family'),
      Description: v.optStr('description') ?? 'Managed by Terraform',
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  const parameters = v.blocks('parameter');
  if (parameters.length > 0) {
    await clients.rds.send(
      new ModifyDBParameterGroupCommand({
        DBParameterGroupName: name,
        Parameters: parameters.map((p) => ({
          ParameterName: p.str('name'),
          ParameterValue: p.str('value'),
          ApplyMethod: (p.optStr('apply_method') ?? 'immediate') as 'immediate',
        })),
      }),
    );
  }
  return { attributes: { id: name, name, arn: out.DBParameterGroup?.DBParameterGroupArn } };
};

export const dbInstance: ResourceHandler = async (v, { clients, tags }) => {
  const identifier = v.str('identifier');
  const managed = v.bool('manage_master_user_password') === true;
  const out = await clients.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: identifier,
      Engine: v.str('engine'),
      ...(v.has('engine_version') ? { EngineVersion: v.str('engine_version') } : {}),
      DBInstanceClass: v.str('instance_class'),
      ...(v.has('db_name') ? { DBName: v.str('db_name') } : {}),
      ...(v.num('port') !== undefined ? { Port: v.num('port') } : {}),
      MasterUsername: v.str('username'),
      ...(managed
        ? {
            ManageMasterUserPassword: true,
            ...(v.has('master_user_secret_kms_key_id')
              ? { MasterUserSecretKmsKeyId: v.str('master_user_secret_kms_key_id') }
              : {}),
          }
        : { MasterUserPassword: v.optStr('password') ?? 'seeded-not-managed-1' }),
      AllocatedStorage: v.num('allocated_storage'),
      ...(v.num('max_allocated_storage') !== undefined
        ? { MaxAllocatedStorage: v.num('max_allocated_storage') }
        : {}),
      ...(v.has('storage_type') ? { StorageType: v.str('storage_type') } : {}),
      StorageEncrypted: v.bool('storage_encrypted') === true,
      ...(v.has('kms_key_id') ? { KmsKeyId: v.str('kms_key_id') } : {}),
      MultiAZ: v.bool('multi_az') === true,
      ...(v.has('db_subnet_group_name')
        ? { DBSubnetGroupName: v.str('db_subnet_group_name') }
        : {}),
      VpcSecurityGroupIds: v.strs('vpc_security_group_ids'),
      PubliclyAccessible: v.bool('publicly_accessible') === true,
      ...(v.has('parameter_group_name')
        ? { DBParameterGroupName: v.str('parameter_group_name') }
        : {}),
      EnableIAMDatabaseAuthentication: v.bool('iam_database_authentication_enabled') === true,
      BackupRetentionPeriod: v.num('backup_retention_period'),
      ...(v.has('backup_window') ? { PreferredBackupWindow: v.str('backup_window') } : {}),
      ...(v.has('maintenance_window')
        ? { PreferredMaintenanceWindow: v.str('maintenance_window') }
        : {}),
      CopyTagsToSnapshot: v.bool('copy_tags_to_snapshot') === true,
      DeletionProtection: v.bool('deletion_protection') === true,
      EnablePerformanceInsights: v.bool('performance_insights_enabled') === true,
      ...(v.has('performance_insights_kms_key_id')
        ? { PerformanceInsightsKMSKeyId: v.str('performance_insights_kms_key_id') }
        : {}),
      ...(v.num('performance_insights_retention_period') !== undefined
        ? { PerformanceInsightsRetentionPeriod: v.num('performance_insights_retention_period') }
        : {}),
      ...(v.num('monitoring_interval') !== undefined
        ? { MonitoringInterval: v.num('monitoring_interval') }
        : {}),
      ...(v.has('monitoring_role_arn') ? { MonitoringRoleArn: v.str('monitoring_role_arn') } : {}),
      EnableCloudwatchLogsExports: v.strs('enabled_cloudwatch_logs_exports'),
      AutoMinorVersionUpgrade: v.bool('auto_minor_version_upgrade') !== false,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  const db = out.DBInstance;
  const notes: string[] = [];
  if (db?.PerformanceInsightsEnabled === undefined) {
    notes.push(
      'Performance Insights accepted but not returned by DescribeDBInstances (moto 5.2.1)',
    );
  }
  if (db?.MonitoringInterval === undefined) {
    notes.push('enhanced monitoring accepted but not returned by DescribeDBInstances (moto 5.2.1)');
  }
  const address = db?.Endpoint?.Address ?? `${identifier}.local`;
  const port = db?.Endpoint?.Port ?? v.num('port') ?? 5432;
  return {
    attributes: {
      id: db?.DbiResourceId ?? identifier,
      identifier,
      arn: db?.DBInstanceArn,
      resource_id: db?.DbiResourceId,
      endpoint: `${address}:${port}`,
      address,
      port,
      db_name: db?.DBName ?? v.optStr('db_name') ?? null,
      master_user_secret: [
        {
          secret_arn: db?.MasterUserSecret?.SecretArn ?? null,
          kms_key_id: db?.MasterUserSecret?.KmsKeyId ?? null,
        },
      ],
    },
    notes,
  };
};

export const ecrRepository: ResourceHandler = async (v, { clients, tags }) => {
  const encryption = v.block('encryption_configuration');
  const out = await clients.ecr.send(
    new CreateRepositoryCommand({
      repositoryName: v.str('name'),
      imageTagMutability: (v.optStr('image_tag_mutability') ?? 'MUTABLE') as 'IMMUTABLE',
      imageScanningConfiguration: {
        scanOnPush: v.block('image_scanning_configuration')?.bool('scan_on_push') === true,
      },
      ...(encryption !== undefined
        ? {
            encryptionConfiguration: {
              encryptionType: (encryption.optStr('encryption_type') ?? 'AES256') as 'KMS',
              ...(encryption.has('kms_key') ? { kmsKey: encryption.str('kms_key') } : {}),
            },
          }
        : {}),
      tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  const repo = out.repository;
  return {
    attributes: {
      id: repo?.repositoryName,
      name: repo?.repositoryName,
      arn: repo?.repositoryArn,
      repository_url: repo?.repositoryUri,
    },
  };
};

export const ecrLifecyclePolicy: ResourceHandler = async (v, { clients }) => {
  await clients.ecr.send(
    new PutLifecyclePolicyCommand({
      repositoryName: v.str('repository'),
      lifecyclePolicyText: v.str('policy'),
    }),
  );
  return { attributes: { id: v.str('repository') } };
};
