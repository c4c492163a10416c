import { PROPERTY_IDS } from '@stackproof/core';
import { AUTOSCALING_CHECKS } from './autoscaling.ts';
import type { LiveCheck } from './check.ts';
import { DYNAMODB_CHECKS } from './dynamodb.ts';
import { EC2_CHECKS } from './ec2.ts';
import { ECR_CHECKS } from './ecr.ts';
import { EKS_CHECKS } from './eks.ts';
import { ELB_CHECKS } from './elb.ts';
import { IAM_CHECKS } from './iam.ts';
import { K8S_CHECKS } from './k8s.ts';
import { KMS_CHECKS } from './kms.ts';
import { NETWORK_CHECKS } from './network.ts';
import { RDS_CHECKS } from './rds.ts';
import { S3_CHECKS } from './s3.ts';

/** Every live check, one per property id, in the catalogue's order. */
export const LIVE_CHECKS: readonly LiveCheck[] = [
  ...S3_CHECKS,
  ...DYNAMODB_CHECKS,
  ...KMS_CHECKS,
  ...NETWORK_CHECKS,
  ...EKS_CHECKS,
  ...EC2_CHECKS,
  ...AUTOSCALING_CHECKS,
  ...ELB_CHECKS,
  ...RDS_CHECKS,
  ...ECR_CHECKS,
  ...IAM_CHECKS,
  ...K8S_CHECKS,
].sort((a, b) => PROPERTY_IDS.indexOf(a.property) - PROPERTY_IDS.indexOf(b.property));

/** The check of one property, if the live suite has one. */
export function liveCheckFor(property: string): LiveCheck | undefined {
  return LIVE_CHECKS.find((c) => c.property === property);
}
