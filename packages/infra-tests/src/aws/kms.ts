import { GetKeyRotationStatusCommand, type KMSClient } from '@aws-sdk/client-kms';

/** The IAM actions these reads need. */
export const KMS_ACTIONS = ['kms:GetKeyRotationStatus'] as const;

export async function keyRotationEnabled(kms: KMSClient, keyId: string): Promise<boolean> {
  return (
    (await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled === true
  );
}
