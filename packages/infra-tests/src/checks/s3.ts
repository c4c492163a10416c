import { awsErrorName } from '../aws/aws-errors.ts';
import {
  bucketEncryption,
  bucketLogging,
  bucketPolicy,
  bucketPublicAccessBlock,
  bucketVersioning,
} from '../aws/s3.ts';
import { policyStatements } from '../policy-evaluation.ts';
import { awsOf, defineCheck, type LiveContext, sameKmsKey } from './check.ts';

// The state bucket of the `_tfstate` workspace: it holds every workspace's state, so every S3
// property of the catalogue is about it.

function stateBucket(ctx: LiveContext): string {
  return ctx.outputs.string(ctx.live.workspaces.state, 'state_bucket_name');
}

/** S3 answers "not configured" with an error; those are answers, not failures to read. */
async function orMissing<T>(read: Promise<T>, missing: readonly string[]): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (missing.includes(awsErrorName(error))) return undefined;
    throw error;
  }
}

export const s3Versioning = defineCheck('s3.versioning', 'aws', async (ctx, v) => {
  const bucket = stateBucket(ctx);
  const status = await bucketVersioning(awsOf(ctx).clients.s3, bucket);
  v.judge(
    status === 'Enabled',
    `s3://${bucket}`,
    `versioning ${status ?? 'never enabled'}`,
    'versioning Enabled',
  );
});

export const s3EncryptionKms = defineCheck('s3.encryption-kms', 'aws', async (ctx, v) => {
  const bucket = stateBucket(ctx);
  const key = ctx.outputs.string(ctx.live.workspaces.state, 'state_kms_key_arn');
  const rules = await orMissing(bucketEncryption(awsOf(ctx).clients.s3, bucket), [
    'ServerSideEncryptionConfigurationNotFoundError',
  ]);
  const rule = rules?.[0]?.ApplyServerSideEncryptionByDefault;
  v.judge(
    rule?.SSEAlgorithm === 'aws:kms' && sameKmsKey(rule.KMSMasterKeyID, key),
    `s3://${bucket}`,
    rule === undefined
      ? 'no default encryption configured'
      : `default encryption ${rule.SSEAlgorithm} with key ${rule.KMSMasterKeyID ?? 'none (AWS managed)'}`,
    `aws:kms with the state key ${key}`,
  );
});

export const s3PublicAccessBlock = defineCheck('s3.public-access-block', 'aws', async (ctx, v) => {
  const bucket = stateBucket(ctx);
  const block = await orMissing(bucketPublicAccessBlock(awsOf(ctx).clients.s3, bucket), [
    'NoSuchPublicAccessBlockConfiguration',
  ]);
  const flags = {
    BlockPublicAcls: block?.BlockPublicAcls === true,
    IgnorePublicAcls: block?.IgnorePublicAcls === true,
    BlockPublicPolicy: block?.BlockPublicPolicy === true,
    RestrictPublicBuckets: block?.RestrictPublicBuckets === true,
  };
  const off = Object.entries(flags)
    .filter(([, on]) => !on)
    .map(([name]) => name);
  v.judge(
    off.length === 0,
    `s3://${bucket}`,
    block === undefined
      ? 'no public access block'
      : off.length === 0
        ? 'all four flags on'
        : `off: ${off.join(', ')}`,
    'BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets all true',
    { data: flags },
  );
});

export const s3TlsOnly = defineCheck('s3.tls-only', 'aws', async (ctx, v) => {
  const bucket = stateBucket(ctx);
  const policy = await orMissing(bucketPolicy(awsOf(ctx).clients.s3, bucket), [
    'NoSuchBucketPolicy',
  ]);
  const denies =
    policy === undefined
      ? []
      : policyStatements(policy).filter((s) => {
          const secure = s.Condition?.Bool?.['aws:SecureTransport'];
          const actions = [s.Action ?? []].flat();
          const resources = [s.Resource ?? []].flat();
          return (
            s.Effect === 'Deny' &&
            String(secure) === 'false' &&
            actions.some((a) => a === 's3:*' || a === '*') &&
            resources.some((r) => r.endsWith(`:::${bucket}`) || r === '*') &&
            resources.some((r) => r.endsWith(`:::${bucket}/*`) || r === '*')
          );
        });
  v.judge(
    denies.length > 0,
    `s3://${bucket}`,
    policy === undefined
      ? 'no bucket policy'
      : denies.length > 0
        ? `statement ${(denies[0] as { Sid?: string }).Sid ?? '(no Sid)'} denies s3:* on the bucket and its objects when aws:SecureTransport is false`
        : 'the bucket policy has no statement denying requests without TLS',
    'a Deny of s3:* on the bucket and bucket/* with Bool aws:SecureTransport = false',
  );
});

export const s3AccessLogging = defineCheck('s3.access-logging', 'aws', async (ctx, v) => {
  const bucket = stateBucket(ctx);
  const logBucket = ctx.outputs.string(ctx.live.workspaces.state, 'state_log_bucket_name');
  const logging = await bucketLogging(awsOf(ctx).clients.s3, bucket);
  v.judge(
    logging?.TargetBucket === logBucket && logBucket !== bucket,
    `s3://${bucket}`,
    logging === undefined
      ? 'server access logging off'
      : `access logs go to s3://${logging.TargetBucket}/${logging.TargetPrefix ?? ''}`,
    `access logs to the separate log bucket ${logBucket}`,
  );
});

export const S3_CHECKS = [
  s3Versioning,
  s3EncryptionKms,
  s3PublicAccessBlock,
  s3TlsOnly,
  s3AccessLogging,
];
