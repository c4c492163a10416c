import {
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type LoggingEnabled,
  type PublicAccessBlockConfiguration,
  type S3Client,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';

/** The IAM actions these reads need. */
export const S3_ACTIONS = [
  's3:GetBucketVersioning',
  's3:GetEncryptionConfiguration',
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketPolicy',
  's3:GetBucketLogging',
] as const;

/** `Enabled`, `Suspended`, or undefined for a bucket that never had versioning. */
export async function bucketVersioning(s3: S3Client, bucket: string): Promise<string | undefined> {
  return (await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
}

export async function bucketEncryption(
  s3: S3Client,
  bucket: string,
): Promise<ServerSideEncryptionRule[]> {
  const out = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
  return out.ServerSideEncryptionConfiguration?.Rules ?? [];
}

export async function bucketPublicAccessBlock(
  s3: S3Client,
  bucket: string,
): Promise<PublicAccessBlockConfiguration | undefined> {
  return (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))
    .PublicAccessBlockConfiguration;
}

/** The bucket policy document as JSON text. */
export async function bucketPolicy(s3: S3Client, bucket: string): Promise<string | undefined> {
  return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
}

export async function bucketLogging(
  s3: S3Client,
  bucket: string,
): Promise<LoggingEnabled | undefined> {
  return (await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled;
}
