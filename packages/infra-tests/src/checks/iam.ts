import { AUTOSCALING_ACTIONS } from '../aws/autoscaling.ts';
import { DYNAMODB_ACTIONS } from '../aws/dynamodb.ts';
import { EC2_ACTIONS } from '../aws/ec2.ts';
import { ECR_ACTIONS } from '../aws/ecr.ts';
import { EKS_ACTIONS } from '../aws/eks.ts';
import { ELBV2_ACTIONS } from '../aws/elbv2.ts';
import { IAM_ACTIONS, roleNameOfArn, rolePolicies } from '../aws/iam.ts';
import { KMS_ACTIONS } from '../aws/kms.ts';
import { RDS_ACTIONS } from '../aws/rds.ts';
import { S3_ACTIONS } from '../aws/s3.ts';
import {
  type PolicyDecision,
  type PolicyQuestion,
  policyStatements,
} from '../policy-evaluation.ts';
import {
  type AwsSide,
  awsOf,
  defineCheck,
  type LiveContext,
  listText,
  type Verdicts,
} from './check.ts';

/** Every IAM action the live suite's reads need: the test:infra role must allow each. */
export const LIVE_SUITE_ACTIONS: readonly string[] = [
  ...EC2_ACTIONS,
  ...EKS_ACTIONS,
  ...RDS_ACTIONS,
  ...S3_ACTIONS,
  ...DYNAMODB_ACTIONS,
  ...KMS_ACTIONS,
  ...ECR_ACTIONS,
  ...AUTOSCALING_ACTIONS,
  ...ELBV2_ACTIONS,
  ...IAM_ACTIONS,
];

/** The tag the stack puts on what chaos may disturb (terraform/modules/stackproof-iam). */
export const CHAOS_TARGET_TAG = 'stackproof.io/chaos-target';

/** IAM is global: its calls are signed for us-east-1, which is what aws:RequestedRegion says. */
function requestRegion(action: string, region: string): string {
  return action.startsWith('iam:') || action.startsWith('sts:') ? 'us-east-1' : region;
}

function otherRegion(region: string): string {
  return region === 'us-east-1' ? 'eu-west-1' : 'us-east-1';
}

interface Expectation {
  readonly question: PolicyQuestion;
  readonly want: 'allowed' | 'denied';
}

/**
 * Asks every question in one evaluation and reports, per group, the questions whose answer is not
 * what the property needs.
 */
async function judgeGroups(
  aws: AwsSide,
  v: Verdicts,
  subject: string,
  documents: readonly string[],
  groups: Readonly<
    Record<string, { readonly expectations: Expectation[]; readonly expected: string }>
  >,
): Promise<void> {
  const evaluator = await aws.policyEvaluator();
  const all = Object.values(groups).flatMap((g) => g.expectations);
  const decisions = await evaluator.evaluate(
    documents,
    all.map((e) => e.question),
  );
  const decided = new Map<Expectation, PolicyDecision>(
    all.map((e, i) => [e, decisions[i] ?? 'implicitDeny']),
  );
  for (const [check, group] of Object.entries(groups)) {
    const wrong = group.expectations.filter((e) => {
      const d = decided.get(e);
      return e.want === 'allowed' ? d !== 'allowed' : d === 'allowed';
    });
    const describe = (e: Expectation) =>
      `${e.question.action} on ${e.question.resource} ${decided.get(e)}`;
    v.judge(
      wrong.length === 0,
      subject,
      wrong.length === 0
        ? `${group.expectations.length} requests answered as required (${evaluator.note})`
        : `${wrong.length} of ${group.expectations.length} answered otherwise: ${wrong.map(describe).join('; ')} (${evaluator.note})`,
      group.expected,
      {
        check,
        data: {
          method: evaluator.method,
          requests: group.expectations.map((e) => ({
            action: e.question.action,
            resource: e.question.resource,
            decision: decided.get(e) ?? 'implicitDeny',
          })),
        },
      },
    );
  }
}

const READ_PREFIXES = ['Describe', 'List', 'Get'];
/** Actions that read nothing and change nothing beyond the read prefixes. */
const NON_MUTATING = new Set(['iam:SimulateCustomPolicy', 'iam:SimulatePrincipalPolicy']);

function isReadAction(action: string): boolean {
  if (NON_MUTATING.has(action)) return true;
  const [service, name] = action.split(':');
  if (service === undefined || name === undefined || service === '*') return false;
  return READ_PREFIXES.some(
    (p) => name.startsWith(p) && (name.length > p.length || name === `${p}*`),
  );
}

/** The account of the caller (STS), for the ARNs of the questions. */
function account(aws: AwsSide): string {
  return aws.identity.account;
}

export const testInfraReadOnly = defineCheck('iam.test-infra-read-only', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const ws = ctx.live.workspaces.state;
  const document = ctx.outputs.string(ws, 'test_infra_policy_json');
  const subject = `test:infra policy (${ws} output test_infra_policy_json)`;
  const region = ctx.expectations.region;
  const acct = account(aws);
  const bucket = ctx.outputs.string(ws, 'state_bucket_name');
  const table = ctx.outputs.string(ws, 'lock_table_name');

  // What the document allows, read statically: Allow statements list read actions only.
  const writes = policyStatements(document)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) =>
      s.NotAction !== undefined ? ['NotAction (allows everything else)'] : [s.Action ?? []].flat(),
    )
    .filter((a) => !isReadAction(a));
  v.judge(
    writes.length === 0,
    subject,
    writes.length === 0
      ? 'every allowed action describes, lists or gets'
      : `allows ${listText(writes)}`,
    'only Describe*, List* and Get* actions allowed',
    { check: 'read-only-actions' },
  );

  // The suite reads IAM roles only of the service workspaces present; without one it reads none.
  const serviceRole = ctx.live.workspaces.services
    .filter((s) => ctx.outputs.has(s))
    .map((s) => ctx.outputs.string(s, 'role_arn'))[0];
  const suiteActions = LIVE_SUITE_ACTIONS.filter(
    (a) => serviceRole !== undefined || !a.startsWith('iam:') || a.startsWith('iam:Simulate'),
  );
  const resourceFor = (action: string): string => {
    if (action.startsWith('s3:')) return `arn:aws:s3:::${bucket}`;
    if (action.startsWith('dynamodb:')) return `arn:aws:dynamodb:${region}:${acct}:table/${table}`;
    if (action.startsWith('iam:Simulate')) return '*';
    if (action.startsWith('iam:')) return serviceRole ?? '*';
    return '*';
  };
  const ask = (
    action: string,
    resource: string,
    want: 'allowed' | 'denied',
    r = requestRegion(action, region),
  ): Expectation => ({
    question: { action, resource, context: { 'aws:RequestedRegion': r } },
    want,
  });
  const forbidden: [string, string][] = [
    ['s3:GetObject', `arn:aws:s3:::${bucket}/network/terraform.tfstate`],
    ['s3:PutObject', `arn:aws:s3:::${bucket}/network/terraform.tfstate`],
    ['s3:DeleteBucket', `arn:aws:s3:::${bucket}`],
    ['dynamodb:PutItem', `arn:aws:dynamodb:${region}:${acct}:table/${table}`],
    ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${region}:${acct}:secret:any`],
    ['kms:Decrypt', `arn:aws:kms:${region}:${acct}:key/any`],
    ['ec2:TerminateInstances', `arn:aws:ec2:${region}:${acct}:instance/any`],
    ['ec2:RunInstances', '*'],
    ['rds:DeleteDBInstance', `arn:aws:rds:${region}:${acct}:db:any`],
    ['eks:DeleteCluster', `arn:aws:eks:${region}:${acct}:cluster/any`],
    ['iam:PassRole', serviceRole ?? `arn:aws:iam::${acct}:role/any`],
    ['iam:CreateRole', '*'],
  ];
  await judgeGroups(aws, v, subject, [document], {
    'covers-live-suite': {
      expectations: suiteActions.map((a) => ask(a, resourceFor(a), 'allowed')),
      expected:
        'every call the live suite makes is allowed (else pnpm test:infra cannot read the stack with this role)',
    },
    'no-writes-or-data-reads': {
      expectations: forbidden.map(([a, r]) => ask(a, r, 'denied')),
      expected: 'no write, delete, secret or state-object read allowed',
    },
    'one-region': {
      expectations: suiteActions
        .filter((a) => !a.startsWith('iam:') && !a.startsWith('s3:') && !a.startsWith('dynamodb:'))
        .map((a) => ask(a, resourceFor(a), 'denied', otherRegion(region))),
      expected: `describes and lists allowed only in ${region}`,
    },
  });
});

export const chaosTagScoped = defineCheck('iam.chaos-tag-scoped', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const ws = ctx.live.workspaces.state;
  const document = ctx.outputs.string(ws, 'chaos_policy_json');
  const subject = `chaos policy (${ws} output chaos_policy_json)`;
  const region = ctx.expectations.region;
  const acct = account(aws);
  const cluster = ctx.outputs.string(ctx.live.workspaces.cluster, 'cluster_name');
  const tagged = {
    'aws:RequestedRegion': region,
    [`aws:ResourceTag/${CHAOS_TARGET_TAG}`]: 'true',
    'aws:ResourceTag/eks:cluster-name': cluster,
  };
  const untagged = { 'aws:RequestedRegion': region, 'aws:ResourceTag/eks:cluster-name': cluster };
  const instance = `arn:aws:ec2:${region}:${acct}:instance/i-0123456789abcdef0`;
  const nacl = `arn:aws:ec2:${region}:${acct}:network-acl/acl-0123456789abcdef0`;
  const db = `arn:aws:rds:${region}:${acct}:db:any`;
  const disruptions: [string, string][] = [
    ['ec2:StopInstances', instance],
    ['ec2:StartInstances', instance],
    ['ec2:CreateNetworkAclEntry', nacl],
    ['ec2:DeleteNetworkAclEntry', nacl],
    ['ec2:ReplaceNetworkAclEntry', nacl],
    ['rds:RebootDBInstance', db],
  ];
  const destructive: [string, string][] = [
    ['ec2:TerminateInstances', instance],
    ['ec2:RunInstances', instance],
    ['ec2:ModifyInstanceAttribute', instance],
    ['ec2:CreateNetworkAcl', nacl],
    ['ec2:DeleteNetworkAcl', nacl],
    ['ec2:ReplaceNetworkAclAssociation', nacl],
    ['ec2:DeleteSubnet', `arn:aws:ec2:${region}:${acct}:subnet/subnet-0123456789abcdef0`],
    ['rds:DeleteDBInstance', db],
    ['rds:ModifyDBInstance', db],
    ['eks:DeleteNodegroup', `arn:aws:eks:${region}:${acct}:nodegroup/${cluster}/any/any`],
    ['iam:PassRole', `arn:aws:iam::${acct}:role/any`],
  ];
  const q = (
    action: string,
    resource: string,
    context: Record<string, string>,
    want: 'allowed' | 'denied',
  ): Expectation => ({
    question: { action, resource, context },
    want,
  });
  await judgeGroups(aws, v, subject, [document], {
    'disturbs-tagged-targets': {
      expectations: disruptions.map(([a, r]) => q(a, r, tagged, 'allowed')),
      expected: `the experiments' actions allowed on resources tagged ${CHAOS_TARGET_TAG}=true`,
    },
    'untagged-untouched': {
      expectations: disruptions.map(([a, r]) => q(a, r, untagged, 'denied')),
      expected: `nothing disturbed on resources without ${CHAOS_TARGET_TAG}=true`,
    },
    'no-create-or-delete': {
      expectations: destructive.map(([a, r]) => q(a, r, tagged, 'denied')),
      expected: 'no create, delete or modify, even on tagged resources',
    },
  });
});

function trustProblems(trustPolicy: string): string[] {
  const problems: string[] = [];
  for (const s of policyStatements(trustPolicy)) {
    if (s.Effect !== 'Allow') continue;
    const principal = (s as { Principal?: unknown }).Principal;
    const services =
      typeof principal === 'object' && principal !== null
        ? [(principal as Record<string, string | string[]>).Service ?? []].flat()
        : [];
    const others =
      typeof principal === 'object' && principal !== null
        ? Object.keys(principal).filter((k) => k !== 'Service')
        : [String(principal)];
    if (others.length > 0) problems.push(`trusts ${listText(others)} principals`);
    const strangers = services.filter((svc) => svc !== 'pods.eks.amazonaws.com');
    if (strangers.length > 0) problems.push(`trusts ${listText(strangers)}`);
    const actions = [s.Action ?? []]
      .flat()
      .filter((a) => a !== 'sts:AssumeRole' && a !== 'sts:TagSession');
    if (actions.length > 0) problems.push(`trust allows ${listText(actions)}`);
  }
  return problems;
}

async function serviceRole(ctx: LiveContext, v: Verdicts, workspace: string): Promise<void> {
  const aws = awsOf(ctx);
  const roleArn = ctx.outputs.string(workspace, 'role_arn');
  const reads = ctx.outputs.optionalString(workspace, 'read_secret_policy_json') !== undefined;
  const region = ctx.expectations.region;
  const acct = account(aws);
  const role = await rolePolicies(aws.clients.iam, roleNameOfArn(roleArn));
  const trust = trustProblems(role.trustPolicy);
  v.judge(
    trust.length === 0,
    roleArn,
    trust.length === 0
      ? 'assumable only by EKS Pod Identity (pods.eks.amazonaws.com)'
      : trust.join('; '),
    'trusted by pods.eks.amazonaws.com only, for sts:AssumeRole and sts:TagSession',
    { check: 'pod-identity-trust' },
  );
  v.judge(
    role.attached.length === 0,
    roleArn,
    role.attached.length === 0
      ? 'no managed policy attached'
      : `managed policies attached: ${listText(role.attached)}`,
    "inline policies only (a managed policy grants more than the service's own secret)",
    { check: 'no-managed-policies' },
  );
  const database = ctx.live.workspaces.database;
  const ownSecret =
    reads && ctx.outputs.has(database)
      ? ctx.outputs.string(database, 'master_user_secret_arn')
      : undefined;
  const dbKey = ctx.outputs.has(database)
    ? ctx.outputs.string(database, 'kms_key_arn')
    : `arn:aws:kms:${region}:${acct}:key/any`;
  const other = `arn:aws:secretsmanager:${region}:${acct}:secret:not-its-own-AbCdEf`;
  const ctxOf = (extra: Record<string, string> = {}) => ({
    'aws:RequestedRegion': region,
    ...extra,
  });
  const allowed: Expectation[] =
    ownSecret === undefined
      ? []
      : [
          {
            question: {
              action: 'secretsmanager:GetSecretValue',
              resource: ownSecret,
              context: ctxOf(),
            },
            want: 'allowed',
          },
          {
            question: {
              action: 'kms:Decrypt',
              resource: dbKey,
              context: ctxOf({ 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` }),
            },
            want: 'allowed',
          },
        ];
  const denied: Expectation[] = [
    {
      question: { action: 'secretsmanager:GetSecretValue', resource: other, context: ctxOf() },
      want: 'denied',
    },
    ...(ownSecret === undefined && ctx.outputs.has(database)
      ? [
          {
            question: {
              action: 'secretsmanager:GetSecretValue',
              resource: ctx.outputs.string(database, 'master_user_secret_arn'),
              context: ctxOf(),
            },
            want: 'denied' as const,
          },
        ]
      : []),
    {
      question: { action: 'secretsmanager:ListSecrets', resource: '*', context: ctxOf() },
      want: 'denied',
    },
    { question: { action: 'kms:Decrypt', resource: dbKey, context: ctxOf() }, want: 'denied' },
    {
      question: { action: 's3:GetObject', resource: 'arn:aws:s3:::any/any', context: ctxOf() },
      want: 'denied',
    },
    {
      question: { action: 'ec2:DescribeInstances', resource: '*', context: ctxOf() },
      want: 'denied',
    },
    { question: { action: 'iam:PassRole', resource: roleArn, context: ctxOf() }, want: 'denied' },
    {
      question: {
        action: 'sts:AssumeRole',
        resource: `arn:aws:iam::${acct}:role/any`,
        context: ctxOf(),
      },
      want: 'denied',
    },
  ];
  await judgeGroups(aws, v, roleArn, Object.values(role.inline), {
    'reads-own-secret-only': {
      expectations: [...allowed, ...denied],
      expected:
        ownSecret === undefined
          ? 'no secret and nothing else readable'
          : 'its own secret readable (decrypted through Secrets Manager only), nothing else',
    },
  });
}

export const serviceRoleScoped = defineCheck('iam.service-role-scoped', 'aws', async (ctx, v) => {
  for (const ws of ctx.live.workspaces.services) {
    if (!ctx.outputs.has(ws)) {
      v.skip(ws, ctx.outputs.missing(ws));
      continue;
    }
    await serviceRole(ctx, v, ws);
  }
});

export const IAM_CHECKS = [serviceRoleScoped, testInfraReadOnly, chaosTagScoped];
