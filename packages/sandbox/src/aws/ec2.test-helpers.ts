import { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsEndpoint } from '@stackproof/toolchain';

/** An EC2 client on an emulator's endpoint and test credentials, for reading back its state. */
export function ec2For(target: AwsEndpoint): { readonly ec2: EC2Client } & Disposable {
  const ec2 = new EC2Client({
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
  });
  return { ec2, [Symbol.dispose]: () => ec2.destroy() };
}
