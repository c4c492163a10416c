import { CreateTableCommand, UpdateContinuousBackupsCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  EnableKeyRotationCommand,
} from '@aws-sdk/client-kms';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import type { ResourceHandler } from './handler.ts';

// KMS keys, the state bucket and its lock table (terraform/modules/state-backend).

export const kmsKey: ResourceHandler = async (v, { clients, tags }) => {
  const out = await clients.kms.send(
    new CreateKeyCommand({
      ...(v.optStr('description') !== undefined ? { Description: v.str('description') } : {}),
      ...(v.optStr('policy') !== undefined ? { Policy: v.str('policy') } : {}),
      Tags: Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
    }),
  );
  const keyId = out.KeyMetadata?.KeyId ?? '';
  if (v.bool('enable_key_rotation') === true) {
    await clients.kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  }
  return { attributes: { id: keyId, key_id: keyId, arn: out.KeyMetadata?.Arn } };
};

export const kmsAlias: ResourceHandler = async (v, { clients, region, account }) => {
  const name = v.str('name');
  await clients.kms.send(
    new CreateAliasCommand({ AliasName: name, TargetKeyId: v.str('target_key_id') }),
  );
  return { attributes: { id: name, name, arn: `arn:aws:kms:${region}:${account}:${name}` } };
};

export const s3Bucket: ResourceHandler = async (v, { clients, region, tags }) => {
  const bucket = v.str('bucket');
  await clients.s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(region === 'us-east-1'
        ? {}
        : {
            CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
          }),
    }),
  );
  if (Object.keys(tags).length > 0) {
    await clients.s3.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );
  }
  return { attributes: { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}` } };
};

export const s3Versioning: ResourceHandler = async (v, { clients }) => {
  const bucket = v.str('bucket');
  const status = v.block('versioning_configuration')?.str('status') ?? 'Enabled';
  await clients.s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: status === 'Enabled' ? 'Enabled' : 'Suspended' },
    }),
  );
  return { attributes: { id: bucket } };
};

export const s3Encryption: ResourceHandler = async (v, { clients }) => {
  const bucket = v.str('bucket');
  await clients.s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: {
        Rules: v.blocks('rule').map((rule) => {
          const d = rule.block('apply_server_side_encryption_by_default');
          return {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: (d?.str('sse_algorithm') ?? 'AES256') as ServerSideEncryption,
              ...(d?.optStr('kms_master_key_id') !== undefined
                ? { KMSMasterKeyID: d.str('kms_master_key_id') }
                : {}),
            },
            ...(rule.bool('bucket_key_enabled') !== undefined
              ? { BucketKeyEnabled: rule.bool('bucket_key_enabled') }
              : {}),
          };
        }),
      },
    }),
  );
  return { attributes: { id: bucket } };
};

export const s3PublicAccessBlock: ResourceHandler = async (v, { clients }) => {
  const bucket = v.str('bucket');
  await clients.s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: v.bool('block_public_acls') === true,
        BlockPublicPolicy: v.bool('block_public_policy') === true,
        IgnorePublicAcls: v.bool('ignore_public_acls') === true,
        RestrictPublicBuckets: v.bool('restrict_public_buckets') === true,
      },
    }),
  );
  return { attributes: { id: bucket } };
};

export const s3Ownership: ResourceHandler = async (v, { clients }) => {
  const bucket = v.str('bucket');
  await clients.s3.send(
    new PutBucketOwnershipControlsCommand({
      Bucket: bucket,
      OwnershipControls: {
        Rules: v
          .blocks('rule')
          .map((r) => ({ ObjectOwnership: r.str('object_ownership') as 'BucketOwnerEnforced' })),
      },
    }),
  );
  return { attributes: { id: bucket } };
};

export const s3Policy: ResourceHandler = async (v, { clients }) => {
  const bucket = v.str('bucket');
  await clients.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: v.str('policy') }));
  return { attributes: { id: bucket } };
};

export const s3Logging: ResourceHandler = async (v, { clients }) => {
  const bucket = v.str('bucket');
  await clients.s3.send(
    new PutBucketLoggingCommand({
      Bucket: bucket,
      BucketLoggingStatus: {
        LoggingEnabled: {
          TargetBucket: v.str('target_bucket'),
          TargetPrefix: v.optStr('target_prefix') ?? '',
        },
      },
    }),
  );
  return { attributes: { id: bucket } };
};

export const s3Lifecycle: ResourceHandler = async (v, { clients }) => {
  const bucket = v.str('bucket');
  await clients.s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: v.blocks('rule').map((r) => ({
          ID: r.optStr('id'),
          Status: r.str('status') === 'Enabled' ? 'Enabled' : 'Disabled',
          Filter: {},
          ...(r.block('expiration') !== undefined
            ? { Expiration: { Days: r.block('expiration')?.num('days') } }
            : {}),
        })),
      },
    }),
  );
  return { attributes: { id: bucket } };
};

export const dynamodbTable: ResourceHandler = async (v, { clients, region, account, tags }) => {
  const name = v.str('name');
  const sse = v.block('server_side_encryption');
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: v.optStr('billing_mode') === 'PROVISIONED' ? 'PROVISIONED' : 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: v.str('hash_key'), KeyType: 'HASH' }],
      AttributeDefinitions: v.blocks('attribute').map((a) => ({
        AttributeName: a.str('name'),
        AttributeType: a.str('type') as 'S' | 'N' | 'B',
      })),
      ...(sse?.bool('enabled') === true
        ? {
            SSESpecification: {
              Enabled: true,
              SSEType: 'KMS',
              ...(sse.optStr('kms_key_arn') !== undefined
                ? { KMSMasterKeyId: sse.str('kms_key_arn') }
                : {}),
            },
          }
        : {}),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  if (v.block('point_in_time_recovery')?.bool('enabled') === true) {
    await clients.dynamodb.send(
      new UpdateContinuousBackupsCommand({
        TableName: name,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
  }
  return {
    attributes: { id: name, name, arn: `arn:aws:dynamodb:${region}:${account}:table/${name}` },
  };
};
