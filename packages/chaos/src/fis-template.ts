import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { type JsonValue, StackproofError } from '@stackproof/core';
import type { StackOutputs } from '@stackproof/infra-tests';
import { CHAOS_TARGET_TAG } from './experiments.ts';
import type { ChaosTarget } from './target.ts';

/** When the template fails the database over. */
export type FisDatabaseFailover = 'auto' | 'always' | 'never';

export interface FisAzOutageInput {
  readonly zone: string;
  readonly region: string;
  readonly account: string;
  readonly clusterName: string;
  /** The zone's subnets (every tier), as ARNs are built from them. */
  readonly subnetIds: readonly string[];
  readonly dbInstanceArn: string;
  /** Where the DB instance's primary is now (DescribeDBInstances), when known. */
  readonly dbPrimaryZone?: string;
  readonly dbFailover: FisDatabaseFailover;
  /** The role FIS assumes (it needs its own rights: see the README). */
  readonly roleArn: string;
  /** CloudWatch alarms that stop the experiment: at least one (the FIS scenario ships none). */
  readonly stopAlarmArns: readonly string[];
  readonly durationSeconds: number;
  /** A CloudWatch Logs log group ARN for the experiment's log, optional. */
  readonly logGroupArn?: string;
}

/** The template cannot be written as asked (no stop condition, no role, a bad ARN). */
export class FisTemplateError extends StackproofError {
  constructor(message: string) {
    super('CHAOS_FIS_TEMPLATE_INVALID', 'bad-input', message);
  }
}

const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/** `PT480S`: FIS takes ISO 8601 durations. */
const isoSeconds = (seconds: number): string => `PT${Math.round(seconds)}S`;

/**
 * The AWS FIS experiment template of `az-outage` in one zone: the zone's subnets lose
 * connectivity (`aws:network:disrupt-connectivity`), the cluster's node instances in the zone
 * stop and start again after the duration (`aws:ec2:stop-instances`), and — the step FIS's "AZ
 * Availability: Power Interruption" scenario lacks for a Multi-AZ DB instance, whose RDS step
 * targets clusters only — the DB instance reboots with a forced failover
 * (`aws:rds:reboot-db-instances`, `forceFailover`), when its primary is in the zone (`auto`).
 * Stop conditions are required: the scenario ships with none.
 */
export function fisAzOutageTemplate(input: FisAzOutageInput): { [key: string]: JsonValue } {
  if (input.stopAlarmArns.length === 0) {
    throw new FisTemplateError(
      'a FIS template needs at least one stop condition: pass --stop-alarm ARN (a CloudWatch alarm on the error rate your users see); the AZ power interruption scenario ships with none, which is the gap this fills',
    );
  }
  const badAlarm = input.stopAlarmArns.find((a) => !ALARM_ARN.test(a));
  if (badAlarm !== undefined) {
    throw new FisTemplateError(`--stop-alarm must be a CloudWatch alarm ARN, got '${badAlarm}'`);
  }
  if (!ROLE_ARN.test(input.roleArn)) {
    throw new FisTemplateError(
      `--role-arn must be an IAM role ARN (the role FIS assumes), got '${input.roleArn}'`,
    );
  }
  if (input.subnetIds.length === 0) {
    throw new FisTemplateError(`the stack has no subnet in ${input.zone}`);
  }
  const failover =
    input.dbFailover === 'always' ||
    (input.dbFailover === 'auto' && input.dbPrimaryZone === input.zone);
  const duration = isoSeconds(input.durationSeconds);
  const targets: { [key: string]: JsonValue } = {
    zoneSubnets: {
      resourceType: 'aws:ec2:subnet',
      resourceArns: input.subnetIds.map(
        (id) => `arn:aws:ec2:${input.region}:${input.account}:subnet/${id}`,
      ),
      filters: [{ path: 'AvailabilityZone', values: [input.zone] }],
      selectionMode: 'ALL',
    },
    zoneNodeInstances: {
      resourceType: 'aws:ec2:instance',
      resourceTags: { [CHAOS_TARGET_TAG]: 'true', 'eks:cluster-name': input.clusterName },
      filters: [
        { path: 'Placement.AvailabilityZone', values: [input.zone] },
        { path: 'State.Name', values: ['running'] },
      ],
      selectionMode: 'ALL',
    },
  };
  const actions: { [key: string]: JsonValue } = {
    disruptZoneSubnets: {
      actionId: 'aws:network:disrupt-connectivity',
      description: `${input.zone}'s subnets lose all connectivity for ${duration}`,
      parameters: { duration, scope: 'all' },
      targets: { Subnets: 'zoneSubnets' },
    },
    stopZoneNodes: {
      actionId: 'aws:ec2:stop-instances',
      description: `the cluster's node instances in ${input.zone} stop (power loss) and start after ${duration}`,
      parameters: { startInstancesAfterDuration: duration },
      targets: { Instances: 'zoneNodeInstances' },
    },
  };
  if (failover) {
    targets.database = {
      resourceType: 'aws:rds:db',
      resourceArns: [input.dbInstanceArn],
      selectionMode: 'ALL',
    };
    actions.failOverDatabase = {
      actionId: 'aws:rds:reboot-db-instances',
      description: `the Multi-AZ DB instance's primary${input.dbPrimaryZone === undefined ? '' : ` (in ${input.dbPrimaryZone})`} fails over to its standby`,
      parameters: { forceFailover: 'true' },
      targets: { DBInstances: 'database' },
    };
  }
  return {
    description: `stackproof az-outage: ${input.zone} loses power (subnets, node instances${failover ? ', database primary' : ''}) for ${duration}`,
    roleArn: input.roleArn,
    targets,
    actions,
    stopConditions: input.stopAlarmArns.map((value) => ({ source: 'aws:cloudwatch:alarm', value })),
    experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
    ...(input.logGroupArn === undefined
      ? {}
      : {
          logConfiguration: {
            logSchemaVersion: 2,
            cloudWatchLogsConfiguration: { logGroupArn: input.logGroupArn },
          },
        }),
    tags: {
      Name: `stackproof-az-outage-${input.zone}`,
      'stackproof.io/experiment': 'az-outage',
      'stackproof.io/zone': input.zone,
    },
  };
}

/**
 * Reads what the template names from the stack: the account (STS), the zone's subnets among the
 * network's (DescribeSubnets), the DB instance's ARN (outputs) and where its primary is now
 * (DescribeDBInstances). Nothing is changed.
 */
export async function fisAzOutageInput(
  target: ChaosTarget,
  outputs: StackOutputs,
  workspaces: { readonly network: string; readonly cluster: string; readonly database: string },
  options: Pick<
    FisAzOutageInput,
    'zone' | 'roleArn' | 'stopAlarmArns' | 'durationSeconds' | 'dbFailover' | 'logGroupArn'
  >,
): Promise<FisAzOutageInput> {
  const account = (await target.aws.sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  const ids = ['public_subnet_ids', 'private_subnet_ids', 'database_subnet_ids'].flatMap((o) =>
    outputs.strings(workspaces.network, o),
  );
  const subnets =
    ids.length === 0
      ? []
      : ((await target.aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids }))).Subnets ?? []);
  const dbId = outputs.string(workspaces.database, 'db_instance_identifier');
  const db = (
    await target.aws.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: dbId }))
  ).DBInstances?.[0];
  return {
    ...options,
    region: target.aws.region,
    account,
    clusterName: outputs.string(workspaces.cluster, 'cluster_name'),
    subnetIds: subnets
      .filter((s) => s.AvailabilityZone === options.zone)
      .map((s) => s.SubnetId ?? '')
      .sort(),
    dbInstanceArn: outputs.string(workspaces.database, 'db_instance_arn'),
    ...(db?.AvailabilityZone === undefined ? {} : { dbPrimaryZone: db.AvailabilityZone }),
  };
}
