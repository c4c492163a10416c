import type { CommandResult } from './command-runner.ts';

/** helm refused a chart: lint findings, a schema violation or a template error. */
export class HelmError extends Error {
  readonly code = 'HELM_FAILED';
  readonly result: CommandResult;

  constructor(action: string, result: CommandResult) {
    super(
      `helm ${action} failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim()}`,
    );
    this.name = 'HelmError';
    this.result = result;
  }
}
