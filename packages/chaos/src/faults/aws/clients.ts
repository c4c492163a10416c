import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import type { AwsEndpoint } from '@stackproof/toolchain';

/** The SDK clients the AWS faults take; on real AWS the caller builds them with its own config. */
export interface AwsClients {
  readonly ec2: EC2Client;
  readonly rds: RDSClient;
}

/** Clients pointed at an emulator (or any endpoint) with its static test credentials. */
export function awsClientsFor(target: AwsEndpoint): AwsClients & Disposable {
  const config = {
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
  };
  const ec2 = new EC2Client(config);
  const rds = new RDSClient(config);
  return {
    ec2,
    rds,
    [Symbol.dispose]: () => {
      ec2.destroy();
      rds.destroy();
    },
  };
}
