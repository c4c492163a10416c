import { keyRotationEnabled } from '../aws/kms.ts';
import { awsOf, defineCheck, kmsKeyId } from './check.ts';
import { serviceRepositories } from './ecr.ts';

/**
 * Every customer-managed key the stack's outputs name (state, cluster, database) and the keys of
 * the services' ECR repositories: each must rotate.
 */
export const kmsRotation = defineCheck('kms.rotation', 'aws', async (ctx, v) => {
  const aws = awsOf(ctx);
  const w = ctx.live.workspaces;
  const keys = new Map<string, string>();
  for (const [workspace, output] of [
    [w.state, 'state_kms_key_arn'],
    [w.cluster, 'kms_key_arn'],
    [w.database, 'kms_key_arn'],
  ] as const) {
    if (!ctx.outputs.has(workspace)) {
      v.skip(`${workspace} key`, ctx.outputs.missing(workspace));
      continue;
    }
    keys.set(ctx.outputs.string(workspace, output), `${workspace} ${output}`);
  }
  for (const { repository } of await serviceRepositories(ctx)) {
    const key = repository?.encryptionConfiguration?.kmsKey;
    if (key !== undefined) keys.set(key, `ECR repository ${repository?.repositoryName}`);
  }
  const seen = new Set<string>();
  await Promise.all(
    [...keys].map(async ([key, from]) => {
      const id = kmsKeyId(key) ?? key;
      if (seen.has(id)) return;
      seen.add(id);
      const on = await keyRotationEnabled(aws.clients.kms, key);
      v.judge(
        on,
        key,
        `rotation ${on ? 'enabled' : 'disabled'} (${from})`,
        'automatic key rotation enabled',
      );
    }),
  );
});

export const KMS_CHECKS = [kmsRotation];
