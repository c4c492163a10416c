import { StackproofError } from '@stackproof/core';
/**
 * k6 ended in a way that yields no trustworthy verdict: a script error, setup() refusing a target
 * that is down, bad options. Threshold failures are not errors: they come back as a result.
 */
export class K6RunError extends StackproofError {
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(script: string, exitCode: number | null, signal: string | null, stderrTail: string) {
    const how = exitCode !== null ? `exit code ${exitCode}` : `signal ${signal ?? 'unknown'}`;
    super(
      'K6_RUN_FAILED',
      'environment',
      `k6 run ${script} failed with ${how} (not a threshold verdict). ` +
        `Fix the script or the target; k6 said:\n${stderrTail}`,
    );
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

/** k6 ran past the caller's bound and was stopped; its partial numbers are not a verdict. */
export class K6TimeoutError extends StackproofError {
  readonly timeoutMs: number;

  constructor(script: string, timeoutMs: number) {
    super(
      'K6_TIMEOUT',
      'environment',
      `k6 run ${script} did not finish within ${timeoutMs} ms and was stopped. ` +
        'Shorten the scenarios or raise timeoutMs.',
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The summary k6 exported is missing or not the shape this runner reads. */
export class K6SummaryError extends StackproofError {
  constructor(detail: string) {
    super('K6_SUMMARY_INVALID', 'internal', `cannot read the k6 summary export: ${detail}`);
  }
}
