import { type EvidenceEvent, evidence, isStackproofError } from '@stackproof/core';
import { awsErrorName, classifyAwsError, targetErrorOf } from './aws/aws-errors.ts';
import type { LiveCheck } from './checks/check.ts';
import { LIVE_CHECKS } from './checks/registry.ts';
import { MissingWorkspaceError } from './inputs/terraform-outputs.ts';
import type { LiveTarget } from './live-target.ts';

export interface LiveRun {
  /** Every piece of evidence, in the catalogue's order of properties. */
  readonly events: readonly EvidenceEvent[];
  /** Properties the run judged. */
  readonly properties: readonly string[];
  readonly wallMs: number;
  /** AWS API calls (commands sent) and HTTP requests (with retries), counted by SDK middleware. */
  readonly aws: {
    readonly calls: number;
    readonly requests: number;
    readonly byOperation: Readonly<Record<string, number>>;
  };
  readonly kubeRequests: number;
  /** How the IAM properties were evaluated, when they were. */
  readonly policyEvaluation?: string;
}

export interface RunOptions {
  /** Default: every check (LIVE_CHECKS). */
  readonly checks?: readonly LiveCheck[];
  /** Called as each property's evidence comes in (progress). */
  readonly onProperty?: (property: string, events: readonly EvidenceEvent[]) => void;
}

function skipped(property: string, subject: string, detail: string): EvidenceEvent {
  return evidence({ property, phase: 'live', status: 'skipped', subject, detail });
}

/** What a check's error means: the run cannot go on (thrown), or evidence about the property. */
function eventForError(check: LiveCheck, error: unknown, target: LiveTarget): EvidenceEvent {
  if (error instanceof MissingWorkspaceError) {
    return skipped(check.property, `workspace ${error.workspace}`, error.message);
  }
  const asTarget = targetErrorOf(error, target.awsClients?.endpoint);
  if (asTarget !== error) throw asTarget;
  if (isStackproofError(error)) throw error;
  const name = awsErrorName(error);
  const message = (error as Error).message?.split('\n')[0] ?? '';
  switch (classifyAwsError(error)) {
    case 'access-denied':
      return skipped(
        check.property,
        'the live suite',
        `not allowed to read it (${name}: ${message}); grant the identity the test:infra policy (terraform/modules/stackproof-iam)`,
      );
    case 'not-implemented':
      return skipped(
        check.property,
        'the live suite',
        `the endpoint does not implement a call it needs (${name}: ${message})`,
      );
  }
  if ((error as { $metadata?: unknown }).$metadata !== undefined) {
    // An answer from AWS: the resource the outputs name does not exist, or cannot be read so.
    return evidence({
      property: check.property,
      phase: 'live',
      status: 'fail',
      subject: 'the live suite',
      detail: `AWS answered ${name}: ${message}`,
      expected: 'the resources the outputs name, readable',
    });
  }
  throw error;
}

/**
 * Runs every check at once against an opened target; the checks share memoised reads, so the
 * whole run makes few calls. Checks of a side the target left out are reported as skipped.
 */
export async function runLiveChecks(
  target: LiveTarget,
  options: RunOptions = {},
): Promise<LiveRun> {
  const checks = options.checks ?? LIVE_CHECKS;
  const t0 = performance.now();
  const results = await Promise.all(
    checks.map(async (check): Promise<EvidenceEvent[]> => {
      let events: EvidenceEvent[];
      if (!target.sides.includes(check.side)) {
        events = [
          skipped(
            check.property,
            `the ${check.side} side`,
            `this run left out the ${check.side} side`,
          ),
        ];
      } else {
        try {
          events = await check.run(target.context);
        } catch (error) {
          events = [eventForError(check, error, target)];
        }
        if (events.length === 0) {
          events = [skipped(check.property, 'the live suite', 'found nothing to judge')];
        }
      }
      options.onProperty?.(check.property, events);
      return events;
    }),
  );
  const counter = target.awsClients?.counter;
  const evaluator =
    target.context.aws !== undefined && checks.some((c) => c.property.startsWith('iam.'))
      ? (await target.context.aws.policyEvaluator()).note
      : undefined;
  return {
    events: results.flat(),
    properties: checks.map((c) => c.property),
    wallMs: performance.now() - t0,
    aws: {
      calls: counter?.calls ?? 0,
      requests: counter?.requests ?? 0,
      byOperation: counter?.byOperation() ?? {},
    },
    kubeRequests: target.context.kube?.requests ?? 0,
    ...(evaluator !== undefined ? { policyEvaluation: evaluator } : {}),
  };
}
