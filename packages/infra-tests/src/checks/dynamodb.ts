import { continuousBackups, describeTable } from '../aws/dynamodb.ts';
import { awsOf, defineCheck, type LiveContext, sameKmsKey } from './check.ts';

function lockTable(ctx: LiveContext): string {
  return ctx.outputs.string(ctx.live.workspaces.state, 'lock_table_name');
}

export const dynamodbPitr = defineCheck('dynamodb.pitr', 'aws', async (ctx, v) => {
  const table = lockTable(ctx);
  const backups = await continuousBackups(awsOf(ctx).clients.dynamodb, table);
  const status = backups?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
  v.judge(
    status === 'ENABLED',
    `dynamodb table ${table}`,
    `point-in-time recovery ${status ?? 'unknown'}`,
    'point-in-time recovery ENABLED',
  );
});

export const dynamodbEncryption = defineCheck('dynamodb.encryption', 'aws', async (ctx, v) => {
  const table = lockTable(ctx);
  const key = ctx.outputs.string(ctx.live.workspaces.state, 'state_kms_key_arn');
  const described = await awsOf(ctx).once(`dynamodb.table:${table}`, () =>
    describeTable(awsOf(ctx).clients.dynamodb, table),
  );
  const sse = described.SSEDescription;
  v.judge(
    sse?.Status === 'ENABLED' && sse.SSEType === 'KMS' && sameKmsKey(sse.KMSMasterKeyArn, key),
    `dynamodb table ${table}`,
    sse === undefined
      ? 'encrypted with an AWS owned key (no SSEDescription)'
      : `SSE ${sse.Status} ${sse.SSEType ?? ''} with ${sse.KMSMasterKeyArn ?? 'no key'}`,
    `SSE with the customer-managed key ${key}`,
  );
});

export const DYNAMODB_CHECKS = [dynamodbPitr, dynamodbEncryption];
