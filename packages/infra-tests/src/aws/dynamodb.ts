import {
  type ContinuousBackupsDescription,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';

/** The IAM actions these reads need. */
export const DYNAMODB_ACTIONS = [
  'dynamodb:DescribeTable',
  'dynamodb:DescribeContinuousBackups',
] as const;

export async function describeTable(db: DynamoDBClient, table: string): Promise<TableDescription> {
  const out = await db.send(new DescribeTableCommand({ TableName: table }));
  if (out.Table === undefined) throw new Error(`DescribeTable ${table} returned no table`);
  return out.Table;
}

export async function continuousBackups(
  db: DynamoDBClient,
  table: string,
): Promise<ContinuousBackupsDescription | undefined> {
  return (await db.send(new DescribeContinuousBackupsCommand({ TableName: table })))
    .ContinuousBackupsDescription;
}
