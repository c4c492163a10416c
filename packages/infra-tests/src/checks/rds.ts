import type { DBInstance } from '@aws-sdk/client-rds';
import { describeDbInstance, userDbParameters } from '../aws/rds.ts';
import {
  awsOf,
  defineCheck,
  type LiveContext,
  listText,
  sameKmsKey,
  type Verdicts,
} from './check.ts';
import { securityGroupsOf } from './network.ts';

// One DescribeDBInstances answers most RDS properties; every check shares it.

function instanceOf(ctx: LiveContext): Promise<DBInstance> {
  const aws = awsOf(ctx);
  const id = ctx.outputs.string(ctx.live.workspaces.database, 'db_instance_identifier');
  return aws.once(`rds.instance:${id}`, () => describeDbInstance(aws.clients.rds, id));
}

function databaseKey(ctx: LiveContext): string {
  return ctx.outputs.string(ctx.live.workspaces.database, 'kms_key_arn');
}

function subjectOf(db: DBInstance): string {
  return db.DBInstanceArn ?? db.DBInstanceIdentifier ?? '?';
}

/** RDS always returns these fields; an endpoint that leaves one out does not implement it. */
function absent(v: Verdicts, db: DBInstance, field: string): void {
  v.skip(
    subjectOf(db),
    `DescribeDBInstances returned no ${field}: the endpoint does not implement it`,
  );
}

function simple(id: string, judge: (ctx: LiveContext, db: DBInstance, v: Verdicts) => void) {
  return defineCheck(id, 'aws', async (ctx, v) => judge(ctx, await instanceOf(ctx), v));
}

export const rdsMultiAz = simple('rds.multi-az', (_ctx, db, v) => {
  v.judge(
    db.MultiAZ === true,
    subjectOf(db),
    `MultiAZ ${db.MultiAZ === true}, primary in ${db.AvailabilityZone ?? '?'}${db.SecondaryAvailabilityZone !== undefined ? `, standby in ${db.SecondaryAvailabilityZone}` : ''}`,
    'MultiAZ true (a synchronous standby in another AZ)',
  );
});

export const rdsEncryptedCmk = simple('rds.encrypted-cmk', (ctx, db, v) => {
  const key = databaseKey(ctx);
  v.judge(
    db.StorageEncrypted === true && sameKmsKey(db.KmsKeyId, key),
    subjectOf(db),
    db.StorageEncrypted === true
      ? `storage encrypted with ${db.KmsKeyId}`
      : 'storage not encrypted',
    `storage encrypted with the database key ${key}`,
  );
});

export const rdsBackupRetention = simple('rds.backup-retention', (ctx, db, v) => {
  const days = db.BackupRetentionPeriod ?? 0;
  v.judge(
    days >= ctx.live.minBackupRetentionDays,
    subjectOf(db),
    `automated backups kept ${days} days`,
    `at least ${ctx.live.minBackupRetentionDays} days`,
  );
});

export const rdsDeletionProtection = simple('rds.deletion-protection', (_ctx, db, v) => {
  v.judge(
    db.DeletionProtection === true,
    subjectOf(db),
    `deletion protection ${db.DeletionProtection === true ? 'on' : 'off'}`,
    'deletion protection on',
  );
});

export const rdsNotPublic = simple('rds.not-public', (_ctx, db, v) => {
  v.judge(
    db.PubliclyAccessible !== true,
    subjectOf(db),
    `publicly accessible ${db.PubliclyAccessible === true}`,
    'not publicly accessible',
  );
});

export const rdsIamAuth = simple('rds.iam-auth', (_ctx, db, v) => {
  v.judge(
    db.IAMDatabaseAuthenticationEnabled === true,
    subjectOf(db),
    `IAM database authentication ${db.IAMDatabaseAuthenticationEnabled === true ? 'on' : 'off'}`,
    'IAM database authentication on',
  );
});

export const rdsPerformanceInsights = simple('rds.performance-insights-encrypted', (ctx, db, v) => {
  if (db.PerformanceInsightsEnabled === undefined) {
    absent(v, db, 'PerformanceInsightsEnabled');
    return;
  }
  const key = databaseKey(ctx);
  v.judge(
    db.PerformanceInsightsEnabled && sameKmsKey(db.PerformanceInsightsKMSKeyId, key),
    subjectOf(db),
    db.PerformanceInsightsEnabled
      ? `Performance Insights on, encrypted with ${db.PerformanceInsightsKMSKeyId ?? 'no key'}`
      : 'Performance Insights off',
    `Performance Insights on, encrypted with the database key ${key}`,
  );
});

export const rdsEnhancedMonitoring = simple('rds.enhanced-monitoring', (ctx, db, v) => {
  if (db.MonitoringInterval === undefined) {
    absent(v, db, 'MonitoringInterval');
    return;
  }
  const interval = db.MonitoringInterval;
  v.judge(
    interval > 0 && interval <= ctx.live.maxMonitoringIntervalSeconds,
    subjectOf(db),
    interval === 0 ? 'enhanced monitoring off' : `enhanced monitoring every ${interval} s`,
    `enhanced monitoring every ${ctx.live.maxMonitoringIntervalSeconds} s or finer`,
  );
});

export const rdsLogExports = simple('rds.log-exports', (ctx, db, v) => {
  const exported = db.EnabledCloudwatchLogsExports ?? [];
  const missing = ctx.live.rdsLogExports.filter((t) => !exported.includes(t));
  v.judge(
    missing.length === 0,
    subjectOf(db),
    `logs exported to CloudWatch: ${listText(exported)}`,
    `${listText(ctx.live.rdsLogExports)} exported`,
  );
});

export const rdsManagedMasterPassword = simple('rds.managed-master-password', (ctx, db, v) => {
  const secret = db.MasterUserSecret;
  const key = databaseKey(ctx);
  v.judge(
    secret?.SecretArn !== undefined && sameKmsKey(secret.KmsKeyId, key),
    subjectOf(db),
    secret?.SecretArn === undefined
      ? 'the master password is not managed by RDS (no MasterUserSecret)'
      : `master password in ${secret.SecretArn} (${secret.SecretStatus ?? 'status unknown'}), encrypted with ${secret.KmsKeyId ?? 'the default key'}`,
    `an RDS-managed master secret encrypted with the database key ${key}`,
  );
});

export const rdsForceSsl = defineCheck('rds.force-ssl', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const db = await instanceOf(ctx);
  const group = db.DBParameterGroups?.[0]?.DBParameterGroupName;
  if (group === undefined) {
    v.fail(
      subjectOf(db),
      'the instance has no DB parameter group',
      'a parameter group with rds.force_ssl = 1',
    );
    return;
  }
  const parameters = await userDbParameters(aws.clients.rds, group);
  const forceSsl = parameters.find((p) => p.ParameterName === 'rds.force_ssl')?.ParameterValue;
  v.judge(
    forceSsl === '1',
    `${subjectOf(db)} parameter group ${group}`,
    `rds.force_ssl ${forceSsl === undefined ? 'not set (engine default)' : `= ${forceSsl}`}`,
    'rds.force_ssl = 1',
  );
});

export const rdsSgFromEksNodes = defineCheck('rds.sg-from-eks-nodes', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const db = await instanceOf(ctx);
  const nodeGroupSg = ctx.outputs.string(ctx.live.workspaces.cluster, 'node_security_group_id');
  const vpcId = ctx.outputs.string(ctx.live.workspaces.network, 'vpc_id');
  const port = db.Endpoint?.Port ?? db.DbInstancePort ?? 5432;
  const groups = await securityGroupsOf(aws, vpcId);
  const attached = (db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId ?? '');
  for (const id of attached) {
    const group = groups.find((g) => g.GroupId === id);
    if (group === undefined) {
      v.fail(
        id,
        `security group ${id} of the instance is not in ${vpcId}`,
        `a security group admitting ${port} from ${nodeGroupSg} only`,
      );
      continue;
    }
    const covering = (group.IpPermissions ?? []).filter(
      (p) => p.IpProtocol === '-1' || ((p.FromPort ?? 0) <= port && (p.ToPort ?? 65535) >= port),
    );
    const sources = covering.flatMap((p) => [
      ...(p.UserIdGroupPairs ?? []).map((g) => g.GroupId ?? '?'),
      ...(p.IpRanges ?? []).map((r) => r.CidrIp ?? '?'),
      ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? '?'),
      ...(p.PrefixListIds ?? []).map((r) => r.PrefixListId ?? '?'),
    ]);
    const others = sources.filter((s) => s !== nodeGroupSg);
    v.judge(
      sources.includes(nodeGroupSg) && others.length === 0,
      `${id} (${group.GroupName}) of ${db.DBInstanceIdentifier}`,
      `port ${port} admitted from ${listText([...new Set(sources)])}`,
      `port ${port} admitted from the EKS node security group ${nodeGroupSg} only`,
    );
  }
  if (attached.length === 0) {
    v.fail(
      subjectOf(db),
      'the instance has no VPC security group',
      `port ${port} admitted from ${nodeGroupSg} only`,
    );
  }
});

export const RDS_CHECKS = [
  rdsMultiAz,
  rdsEncryptedCmk,
  rdsBackupRetention,
  rdsDeletionProtection,
  rdsNotPublic,
  rdsIamAuth,
  rdsForceSsl,
  rdsPerformanceInsights,
  rdsEnhancedMonitoring,
  rdsLogExports,
  rdsManagedMasterPassword,
  rdsSgFromEksNodes,
];
