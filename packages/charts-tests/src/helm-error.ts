import { StackproofError } from '@stackproof/core';
import { outputTail, type ToolResult } from '@stackproof/toolchain';

/** helm refused a chart: lint findings, a schema violation or a template error. */
export class HelmError extends StackproofError {
  readonly result: ToolResult;

  constructor(action: string, result: ToolResult) {
    // The chart (or the values given to it) is what must change: bad input.
    super(
      'HELM_FAILED',
      'bad-input',
      `helm ${action} failed (exit ${result.exitCode ?? result.signal}): ${outputTail(result)}`,
    );
    this.result = result;
  }
}
