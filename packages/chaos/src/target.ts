import { KubeConfig } from '@kubernetes/client-node';
import { StackproofError } from '@stackproof/core';
import { type AwsClients, createAwsClients, loadKubeConfig } from '@stackproof/infra-tests';
import { SandboxClient } from '@stackproof/sandbox/client';
import type { TargetRef } from './journal.ts';

/** The stack a chaos run or a recovery acts on, with every client it needs. */
export interface ChaosTarget extends AsyncDisposable {
  readonly ref: TargetRef;
  /** EC2, RDS and STS (the faults' and the guards' calls), on the sandbox's moto or on AWS. */
  readonly aws: AwsClients;
  readonly kubeConfig: KubeConfig;
  /** The kube context in use (the allow-list names contexts). */
  readonly kubeContext: string;
  /** The sandbox's typed client, on the sandbox only. */
  readonly sandbox?: SandboxClient;
  close(): Promise<void>;
}

/** The AWS credentials do not belong to the account the journal's faults were injected in. */
export class ChaosTargetMismatchError extends StackproofError {
  constructor(message: string) {
    super('CHAOS_TARGET_MISMATCH', 'bad-input', message);
  }
}

/**
 * Opens a target from its reference: the sandbox through its client (its moto's endpoint and
 * test credentials, its kubeconfig), or AWS with the SDK's own credential chain and a kubeconfig.
 */
export async function openChaosTarget(
  ref: TargetRef,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChaosTarget> {
  if (ref.kind === 'sandbox') {
    const sandbox = await SandboxClient.connect(ref.dir);
    const { state } = sandbox;
    if (state.aws === undefined) {
      throw new StackproofError(
        'CHAOS_SANDBOX_WITHOUT_AWS',
        'environment',
        `the sandbox in ${ref.dir} has no AWS emulator; restart it with 'stackproof sandbox up'`,
      );
    }
    const aws = createAwsClients({
      region: state.aws.region,
      endpoint: state.aws.endpoint,
      credentials: {
        accessKeyId: state.aws.accessKeyId,
        secretAccessKey: state.aws.secretAccessKey,
      },
      env: {},
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(state.kubeconfig);
    const close = async (): Promise<void> => aws.destroy();
    return {
      ref,
      aws,
      kubeConfig,
      kubeContext: kubeConfig.getCurrentContext(),
      sandbox,
      close,
      [Symbol.asyncDispose]: close,
    };
  }
  const kubeConfig = loadKubeConfig({
    ...(ref.kubeconfig !== undefined ? { kubeconfig: ref.kubeconfig } : {}),
    ...(ref.context !== undefined ? { context: ref.context } : {}),
  });
  const aws = createAwsClients({ region: ref.region, env });
  const close = async (): Promise<void> => aws.destroy();
  return {
    ref,
    aws,
    kubeConfig,
    kubeContext: kubeConfig.getCurrentContext(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
