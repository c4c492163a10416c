import {
  type Expectations,
  ExpectationsError,
  readExpectationsFile,
  StackproofError,
} from '@stackproof/core';
import { targetErrorOf } from './aws/aws-errors.ts';
import { type AwsClients, type AwsCredentials, createAwsClients } from './aws/clients.ts';
import { type CallerIdentity, callerIdentity } from './aws/sts.ts';
import type { AwsSide, LiveContext, Side } from './checks/check.ts';
import {
  type LiveExpectations,
  liveWorkspaces,
  parseLiveExpectations,
} from './inputs/live-expectations.ts';
import { readStackOutputs } from './inputs/terraform-outputs.ts';
import { KubeReads, loadKubeConfig } from './k8s/kube-reads.ts';
import { choosePolicyEvaluator, type PolicyEvaluator } from './policy-evaluation.ts';

export interface LiveTargetOptions {
  /** Directory of `terraform output -json` documents, one `<workspace>.json` per root. */
  readonly outputsDir: string;
  /** The expectations file (expectations/staging.json, expectations/sandbox.json...). */
  readonly expectationsFile: string;
  /** A kubeconfig file (default: KUBECONFIG, then ~/.kube/config). */
  readonly kubeconfig?: string;
  /** A context of the kubeconfig (default: its current context). */
  readonly context?: string;
  /** Which APIs to read (default both). */
  readonly sides?: readonly Side[];
  /** Overrides of the SDK's own configuration (tests; the CLI leaves them to the SDK chain). */
  readonly aws?: { readonly endpoint?: string; readonly credentials?: AwsCredentials };
  readonly env?: NodeJS.ProcessEnv;
}

/** An opened target: the context every check reads, and what to close. */
export interface LiveTarget extends AsyncDisposable {
  readonly context: LiveContext;
  readonly sides: readonly Side[];
  readonly warnings: readonly string[];
  readonly awsClients: AwsClients | undefined;
  readonly identity: CallerIdentity | undefined;
  close(): Promise<void>;
}

export class LiveInputError extends StackproofError {
  constructor(message: string) {
    super('LIVE_INPUT_INVALID', 'bad-input', message);
  }
}

/**
 * Reads the inputs and proves both APIs answer before any check runs: one STS GetCallerIdentity
 * and one Kubernetes /version, in parallel. A missing file, an unreachable endpoint or refused
 * credentials end here with one line saying what to fix.
 */
export async function openLiveTarget(options: LiveTargetOptions): Promise<LiveTarget> {
  const env = options.env ?? process.env;
  const sides = options.sides ?? ['aws', 'kubernetes'];
  const { config: expectations, warnings: common } = await readExpectationsFile(
    options.expectationsFile,
  );
  const parsed = parseLiveExpectations(expectations.sections.live);
  if (parsed.config === undefined)
    throw new ExpectationsError(options.expectationsFile, parsed.errors);
  const live: LiveExpectations = parsed.config;
  const outputs = await readStackOutputs(options.outputsDir, liveWorkspaces(live));
  const warnings = [...common, ...parsed.warnings];

  let awsSide: AwsSide | undefined;
  let clients: AwsClients | undefined;
  let identity: CallerIdentity | undefined;
  let kube: KubeReads | undefined;
  const kubeConfig = sides.includes('kubernetes')
    ? loadKubeConfig({
        ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
        ...(options.context !== undefined ? { context: options.context } : {}),
      })
    : undefined;
  try {
    if (sides.includes('aws')) {
      clients = createAwsClients({
        region: expectations.region,
        env,
        ...(options.aws?.endpoint !== undefined ? { endpoint: options.aws.endpoint } : {}),
        ...(options.aws?.credentials !== undefined ? { credentials: options.aws.credentials } : {}),
      });
      if (clients.region !== expectations.region) {
        throw new LiveInputError(
          `AWS_REGION is ${clients.region} but the stack is in ${expectations.region} (${options.expectationsFile}); unset AWS_REGION or fix the expectations`,
        );
      }
    }
    if (kubeConfig !== undefined) kube = new KubeReads(kubeConfig);
    const awsClients = clients;
    await Promise.all([
      awsClients === undefined
        ? undefined
        : callerIdentity(awsClients.sts).then(
            (found) => {
              identity = found;
            },
            (error: unknown) => {
              throw targetErrorOf(error, awsClients.endpoint);
            },
          ),
      kube?.version(),
    ]);
    if (awsClients !== undefined && identity !== undefined) {
      const memo = new Map<string, Promise<unknown>>();
      let evaluator: Promise<PolicyEvaluator> | undefined;
      const who = identity;
      awsSide = {
        clients: awsClients,
        identity: who,
        once<T>(key: string, read: () => Promise<T>): Promise<T> {
          let found = memo.get(key) as Promise<T> | undefined;
          if (found === undefined) {
            found = read();
            memo.set(key, found);
          }
          return found;
        },
        policyEvaluator() {
          evaluator ??= choosePolicyEvaluator(awsClients.iam, awsClients.endpoint);
          return evaluator;
        },
      };
    }
  } catch (error) {
    clients?.destroy();
    throw error;
  }
  const context: LiveContext = {
    outputs,
    expectations: expectations as Expectations,
    live,
    ...(awsSide !== undefined ? { aws: awsSide } : {}),
    ...(kube !== undefined ? { kube } : {}),
  };
  const close = async (): Promise<void> => {
    clients?.destroy();
  };
  return {
    context,
    sides,
    warnings,
    awsClients: clients,
    identity,
    close,
    [Symbol.asyncDispose]: close,
  };
}
