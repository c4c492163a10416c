import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';

/** Where the seed writes: an AWS endpoint (moto on loopback) with its region and credentials. */
export interface SeedTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface SeedClients {
  readonly ec2: EC2Client;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly kms: KMSClient;
  readonly iam: IAMClient;
  readonly eks: EKSClient;
  readonly rds: RDSClient;
  readonly ecr: ECRClient;
  readonly logs: CloudWatchLogsClient;
  readonly sts: STSClient;
  readonly autoscaling: AutoScalingClient;
  destroy(): void;
}

export function seedClients(target: SeedTarget): SeedClients {
  const config = {
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
    maxAttempts: 3,
  };
  const clients = {
    ec2: new EC2Client(config),
    // The emulator has no per-bucket host names: path-style addressing.
    s3: new S3Client({ ...config, forcePathStyle: true }),
    dynamodb: new DynamoDBClient(config),
    kms: new KMSClient(config),
    iam: new IAMClient(config),
    eks: new EKSClient(config),
    rds: new RDSClient(config),
    ecr: new ECRClient(config),
    logs: new CloudWatchLogsClient(config),
    sts: new STSClient(config),
    autoscaling: new AutoScalingClient(config),
  };
  return {
    ...clients,
    destroy() {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}

export interface HandlerContext {
  readonly clients: SeedClients;
  readonly region: string;
  readonly account: string;
  /** The resource's tags with the provider's default_tags under them (Terraform's tags_all). */
  readonly tags: Readonly<Record<string, string>>;
  readonly address: string;
}

export interface Created {
  /** What other resources and the outputs read: id, arn and the computed attributes. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** What the emulator accepted but does not hold (read back differently or not at all). */
  readonly notes?: readonly string[];
}

export type ResourceHandler = (values: Values, context: HandlerContext) => Promise<Created>;

/** The emulator has no API for this resource: it is recorded, not created. */
export class NotHeldError extends Error {}

/** Typed reads of a resource's evaluated arguments (blocks are lists of objects). */
export class Values {
  readonly raw: Readonly<Record<string, unknown>>;
  constructor(raw: Readonly<Record<string, unknown>>) {
    this.raw = raw;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  str(key: string): string {
    const v = this.raw[key];
    if (typeof v !== 'string')
      throw new Error(`argument ${key} is not a string (${JSON.stringify(v)})`);
    return v;
  }

  optStr(key: string): string | undefined {
    const v = this.raw[key];
    return typeof v === 'string' ? v : undefined;
  }

  num(key: string): number | undefined {
    const v = this.raw[key];
    return typeof v === 'number' ? v : undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw[key];
    return typeof v === 'boolean' ? v : undefined;
  }

  strs(key: string): string[] {
    const v = this.raw[key];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  map(key: string): Record<string, string> {
    const v = this.raw[key];
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, string>)
      : {};
  }

  /** Nested blocks of a type. */
  blocks(key: string): Values[] {
    const v = this.raw[key];
    return Array.isArray(v) ? v.map((b) => new Values(b as Record<string, unknown>)) : [];
  }

  block(key: string): Values | undefined {
    return this.blocks(key)[0];
  }
}

/** EC2-style tag specifications from a tag map. */
export function ec2Tags(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
