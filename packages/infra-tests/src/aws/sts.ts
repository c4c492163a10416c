import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

/** Who the credentials are: the live run's first call, which also proves the endpoint answers. */
export async function callerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  return { account: out.Account ?? '', arn: out.Arn ?? '' };
}
