import { type ECRClient, paginateDescribeRepositories, type Repository } from '@aws-sdk/client-ecr';

/** The IAM actions these reads need. */
export const ECR_ACTIONS = ['ecr:DescribeRepositories'] as const;

/** The named repositories, in one paginated call. */
export async function describeRepositories(
  ecr: ECRClient,
  names: readonly string[],
): Promise<Repository[]> {
  if (names.length === 0) return [];
  const out: Repository[] = [];
  for await (const page of paginateDescribeRepositories(
    { client: ecr, pageSize: 100 },
    { repositoryNames: [...names] },
  )) {
    out.push(...(page.repositories ?? []));
  }
  return out;
}
