import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';

/** Static credentials or a provider, as every SDK client accepts them. */
export type AwsCredentials = NonNullable<STSClientConfig['credentials']>;

/**
 * Counts what the live suite asks AWS: one call per command sent (what `stackproof live check`
 * reports and docs/benchmarks.md holds to a budget), one request per HTTP attempt (retries
 * included).
 */
export class ApiCallCounter {
  readonly #calls = new Map<string, number>();
  #requests = 0;

  call(operation: string): void {
    this.#calls.set(operation, (this.#calls.get(operation) ?? 0) + 1);
  }

  request(): void {
    this.#requests++;
  }

  get calls(): number {
    let total = 0;
    for (const n of this.#calls.values()) total += n;
    return total;
  }

  get requests(): number {
    return this.#requests;
  }

  /** Calls per `Service.Operation`, sorted by name. */
  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.#calls].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly eks: EKSClient;
  readonly rds: RDSClient;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly kms: KMSClient;
  readonly ecr: ECRClient;
  readonly iam: IAMClient;
  readonly autoscaling: AutoScalingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly sts: STSClient;
  readonly counter: ApiCallCounter;
  /** The region the clients sign for. */
  readonly region: string;
  /** The endpoint override in effect (an emulator), if any. */
  readonly endpoint: string | undefined;
  destroy(): void;
}

export interface AwsClientsOptions {
  /** Region of the stack; the SDK's own resolution (AWS_REGION, profile) wins when it has one. */
  readonly region: string;
  /**
   * An endpoint for every service (an emulator). Default: the SDK's own `AWS_ENDPOINT_URL`
   * handling, which this also reads to know whether S3 needs path-style addressing.
   */
  readonly endpoint?: string;
  /** Default: the SDK's default credential chain (env, SSO, profile, web identity, ...). */
  readonly credentials?: AwsCredentials;
  /** Attempts per call including the first (the SDK's standard retry mode); default 3. */
  readonly maxAttempts?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** The part of a client's middleware stack this uses, the same for every SDK v3 client. */
interface MiddlewareAdder {
  add(middleware: unknown, options: Readonly<Record<string, string>>): void;
}

function counted<T extends { readonly middlewareStack: unknown }>(
  client: T,
  service: string,
  counter: ApiCallCounter,
): T {
  type Next = (args: unknown) => Promise<unknown>;
  const stack = client.middlewareStack as MiddlewareAdder;
  stack.add(
    (next: Next, context: { commandName?: string }) => async (args: unknown) => {
      counter.call(`${service}.${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`);
      return next(args);
    },
    { step: 'initialize', name: 'stackproofCountCalls' },
  );
  // Below the retry middleware (finalizeRequest, high priority): once per HTTP attempt.
  stack.add(
    (next: Next) => async (args: unknown) => {
      counter.request();
      return next(args);
    },
    { step: 'finalizeRequest', name: 'stackproofCountRequests', priority: 'low' },
  );
  return client;
}

/**
 * SDK v3 clients for every service the live checks read, with the SDK's own configuration chain
 * (credentials, `AWS_ENDPOINT_URL`, standard retries) and a call counter on each.
 */
export function createAwsClients(options: AwsClientsOptions): AwsClients {
  const env = options.env ?? process.env;
  const counter = new ApiCallCounter();
  const region = env.AWS_REGION || options.region;
  const endpoint = options.endpoint ?? (env.AWS_ENDPOINT_URL || undefined);
  const config = {
    region,
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
  };
  const clients = {
    ec2: counted(new EC2Client(config), 'EC2', counter),
    eks: counted(new EKSClient(config), 'EKS', counter),
    rds: counted(new RDSClient(config), 'RDS', counter),
    // An emulator on 127.0.0.1:PORT has no per-bucket host names: address buckets by path there.
    s3: counted(
      new S3Client({ ...config, ...(endpoint !== undefined ? { forcePathStyle: true } : {}) }),
      'S3',
      counter,
    ),
    dynamodb: counted(new DynamoDBClient(config), 'DynamoDB', counter),
    kms: counted(new KMSClient(config), 'KMS', counter),
    ecr: counted(new ECRClient(config), 'ECR', counter),
    iam: counted(new IAMClient(config), 'IAM', counter),
    autoscaling: counted(new AutoScalingClient(config), 'AutoScaling', counter),
    elbv2: counted(new ElasticLoadBalancingV2Client(config), 'ELBv2', counter),
    sts: counted(new STSClient(config), 'STS', counter),
  };
  return {
    ...clients,
    counter,
    region,
    endpoint,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}
