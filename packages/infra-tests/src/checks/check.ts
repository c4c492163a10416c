import {
  type EvidenceEvent,
  type Expectations,
  evidence,
  getProperty,
  type JsonValue,
} from '@stackproof/core';
import type { AwsClients } from '../aws/clients.ts';
import type { CallerIdentity } from '../aws/sts.ts';
import type { LiveExpectations } from '../inputs/live-expectations.ts';
import type { StackOutputs } from '../inputs/terraform-outputs.ts';
import type { KubeReads } from '../k8s/kube-reads.ts';
import type { PolicyEvaluator } from '../policy-evaluation.ts';

/**
 * Everything a check may read, for one run: the outputs and expectations it is judged against,
 * and the two APIs. Reads are memoised per run (`once`), so checks that need the same answer (the
 * VPC's subnets, the DB instance) share one call and can all run at the same time.
 */
export interface LiveContext {
  readonly outputs: StackOutputs;
  readonly expectations: Expectations;
  readonly live: LiveExpectations;
  /** Absent when the run checks Kubernetes only. */
  readonly aws?: AwsSide;
  /** Absent when the run checks AWS only. */
  readonly kube?: KubeReads;
}

export interface AwsSide {
  readonly clients: AwsClients;
  readonly identity: CallerIdentity;
  /** Memoises one read per key for the run. */
  once<T>(key: string, read: () => Promise<T>): Promise<T>;
  /** IAM's simulator or the local evaluation (chosen once per run). */
  policyEvaluator(): Promise<PolicyEvaluator>;
}

export type Side = 'aws' | 'kubernetes';

/** The evidence a check gives for its property; built by the check as it looks. */
export class Verdicts {
  readonly property: string;
  readonly events: EvidenceEvent[] = [];

  constructor(property: string) {
    this.property = property;
  }

  pass(subject: string, detail: string, options: VerdictOptions = {}): void {
    this.#push('pass', subject, detail, options);
  }

  fail(subject: string, detail: string, expected: string, options: VerdictOptions = {}): void {
    this.#push('fail', subject, detail, { ...options, expected });
  }

  /** Not checked, and why: never counted as a pass. */
  skip(subject: string, why: string, options: VerdictOptions = {}): void {
    this.#push('skipped', subject, why, options);
  }

  /** `ok` decides pass or fail: for checks that are one comparison. */
  judge(
    ok: boolean,
    subject: string,
    detail: string,
    expected: string,
    options: VerdictOptions = {},
  ): void {
    if (ok) this.pass(subject, detail, options);
    else this.fail(subject, detail, expected, options);
  }

  #push(
    status: 'pass' | 'fail' | 'skipped',
    subject: string,
    detail: string,
    options: VerdictOptions & { expected?: string },
  ): void {
    this.events.push(
      evidence({
        property: this.property,
        phase: 'live',
        status,
        subject,
        detail,
        ...(options.expected !== undefined ? { expected: options.expected } : {}),
        ...(options.check !== undefined ? { check: options.check } : {}),
        ...(options.data !== undefined ? { data: options.data } : {}),
      }),
    );
  }
}

export interface VerdictOptions {
  /** The named part of the property (`nodes-ready-per-zone`), when it has several. */
  readonly check?: string;
  readonly data?: { readonly [key: string]: JsonValue };
  readonly expected?: string;
}

export interface LiveCheck {
  /** Property id from the catalogue. */
  readonly property: string;
  /** Which API it reads; a run can leave a side out (no kubeconfig, no AWS). */
  readonly side: Side;
  run(context: LiveContext): Promise<EvidenceEvent[]>;
}

/**
 * Defines the check of one property. The id is looked up in the catalogue when the module loads,
 * so a check for an id that does not exist cannot even be imported.
 */
export function defineCheck(
  property: string,
  side: Side,
  body: (context: LiveContext, verdicts: Verdicts) => Promise<void>,
): LiveCheck {
  getProperty(property);
  return {
    property,
    side,
    async run(context) {
      const verdicts = new Verdicts(property);
      await body(context, verdicts);
      return verdicts.events;
    },
  };
}

/** The AWS side of a context, or an error naming the run's options (a bug in the caller). */
export function awsOf(context: LiveContext): AwsSide {
  if (context.aws === undefined) throw new Error('an AWS check ran without the AWS side');
  return context.aws;
}

export function kubeOf(context: LiveContext): KubeReads {
  if (context.kube === undefined)
    throw new Error('a Kubernetes check ran without the Kubernetes side');
  return context.kube;
}

/** `arn:aws:kms:r:a:key/1234` → `1234`; a key id stays as it is. KMS identifies a key by it. */
export function kmsKeyId(keyOrArn: string | undefined): string | undefined {
  if (keyOrArn === undefined) return undefined;
  const at = keyOrArn.lastIndexOf('key/');
  return at >= 0 ? keyOrArn.slice(at + 4) : keyOrArn;
}

export function sameKmsKey(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && kmsKeyId(a) === kmsKeyId(b);
}

/** `a, b and c`, for details. */
export function listText(items: readonly string[]): string {
  if (items.length === 0) return 'none';
  return items.join(', ');
}
