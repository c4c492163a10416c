import {
  type DBInstance,
  DescribeDBInstancesCommand,
  type Parameter,
  paginateDescribeDBParameters,
  type RDSClient,
} from '@aws-sdk/client-rds';

/** The IAM actions these reads need. */
export const RDS_ACTIONS = ['rds:DescribeDBInstances', 'rds:DescribeDBParameters'] as const;

export async function describeDbInstance(rds: RDSClient, identifier: string): Promise<DBInstance> {
  const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
  const db = out.DBInstances?.[0];
  if (db === undefined) throw new Error(`DescribeDBInstances ${identifier} returned no instance`);
  return db;
}

/**
 * The parameters set by the user in a DB parameter group (`Source: user`): the engine defaults are
 * hundreds of entries over several pages and say nothing about what the stack chose.
 */
export async function userDbParameters(rds: RDSClient, group: string): Promise<Parameter[]> {
  const out: Parameter[] = [];
  for await (const page of paginateDescribeDBParameters(
    { client: rds, pageSize: 100 },
    { DBParameterGroupName: group, Source: 'user' },
  )) {
    out.push(...(page.Parameters ?? []));
  }
  return out;
}
