import type { Repository } from '@aws-sdk/client-ecr';
import { describeRepositories } from '../aws/ecr.ts';
import { awsOf, defineCheck, type LiveContext, type Verdicts } from './check.ts';

export interface ServiceRepository {
  readonly workspace: string;
  readonly name: string;
  /** Undefined when the repository the outputs name does not exist. */
  readonly repository: Repository | undefined;
}

/** `123456789012.dkr.ecr.me-central-1.amazonaws.com/backend` → `backend`. */
export function repositoryNameOfUrl(url: string): string {
  return url.slice(url.indexOf('/') + 1);
}

/** The repositories of the service workspaces present, read in one call per run. */
export function serviceRepositories(ctx: LiveContext): Promise<ServiceRepository[]> {
  const aws = awsOf(ctx);
  return aws.once('ecr.repositories', async () => {
    const present = ctx.live.workspaces.services.filter((ws) => ctx.outputs.has(ws));
    const names = present.map((ws) =>
      repositoryNameOfUrl(ctx.outputs.string(ws, 'repository_url')),
    );
    let found: Repository[] = [];
    try {
      found = await describeRepositories(aws.clients.ecr, names);
    } catch (error) {
      // One missing repository fails the whole call; ask one by one to say which.
      if ((error as Error).name !== 'RepositoryNotFoundException') throw error;
      const each = await Promise.all(
        names.map((n) => describeRepositories(aws.clients.ecr, [n]).catch(() => [])),
      );
      found = each.flat();
    }
    return present.map((workspace, i) => ({
      workspace,
      name: names[i] as string,
      repository: found.find((r) => r.repositoryName === names[i]),
    }));
  });
}

async function eachRepository(
  ctx: LiveContext,
  v: Verdicts,
  judge: (repository: Repository, subject: string) => void,
): Promise<void> {
  for (const ws of ctx.live.workspaces.services.filter((w) => !ctx.outputs.has(w))) {
    v.skip(ws, ctx.outputs.missing(ws));
  }
  for (const { name, repository, workspace } of await serviceRepositories(ctx)) {
    const subject = repository?.repositoryArn ?? `ecr repository ${name}`;
    if (repository === undefined) {
      v.fail(
        subject,
        `repository ${name} (from ${workspace}) does not exist`,
        'the repository the outputs name',
      );
      continue;
    }
    judge(repository, subject);
  }
}

export const ecrImmutableTags = defineCheck('ecr.immutable-tags', 'aws', async (ctx, v) => {
  await eachRepository(ctx, v, (repo, subject) => {
    v.judge(
      repo.imageTagMutability === 'IMMUTABLE',
      subject,
      `image tags ${repo.imageTagMutability ?? 'MUTABLE'}`,
      'image tags IMMUTABLE',
    );
  });
});

export const ecrScanOnPush = defineCheck('ecr.scan-on-push', 'aws', async (ctx, v) => {
  await eachRepository(ctx, v, (repo, subject) => {
    const on = repo.imageScanningConfiguration?.scanOnPush === true;
    v.judge(on, subject, `scan on push ${on ? 'on' : 'off'}`, 'scan on push on');
  });
});

export const ecrEncryptionKms = defineCheck('ecr.encryption-kms', 'aws', async (ctx, v) => {
  await eachRepository(ctx, v, (repo, subject) => {
    const enc = repo.encryptionConfiguration;
    const key = enc?.kmsKey;
    v.judge(
      enc?.encryptionType === 'KMS' && key !== undefined && !key.endsWith('alias/aws/ecr'),
      subject,
      `encryption ${enc?.encryptionType ?? 'AES256'}${key !== undefined ? ` with ${key}` : ''}`,
      'KMS encryption with a customer-managed key',
    );
  });
});

export const ECR_CHECKS = [ecrImmutableTags, ecrScanOnPush, ecrEncryptionKms];
