import { resolve } from 'node:path';
import { writeFileAtomically } from '@stackproof/core';
import {
  buildLiveReport,
  formatLiveReport,
  formatLiveText,
  LIVE_REPORT_FORMATS,
  type LiveReportFormat,
  openLiveTarget,
  readGateUnknowns,
  runLiveChecks,
  settleUnknowns,
} from '@stackproof/infra-tests';
import type { CliOutcome } from './cli-outcome.ts';
import { parseFlags } from './flags.ts';
import { UsageError } from './usage-error.ts';

export const LIVE_CHECK_USAGE = `Usage: stackproof live check --outputs DIR [options]

Checks every live property of the catalogue (docs/properties.md) on a stack after apply: the AWS
side through the SDK's default credential chain and region (AWS_ENDPOINT_URL for an emulator),
the Kubernetes side through KUBECONFIG.

Options:
  --outputs DIR           directory of 'terraform output -json' documents, one per workspace,
                          named after the root's path under terraform/aws (eks/prod1/infra →
                          eks-prod1-infra.json)
  --expectations FILE     AZ count, namespaces, SLOs and the live section (default
                          expectations/sandbox.json)
  --context NAME          kubeconfig context (default: the current one)
  --format text|json|junit   report format (default text)
  --output FILE           write the report to FILE (stdout gets the verdict line)
  --settle GATE.json      the policy gate's JSON report: settle each of its unknowns with the
                          live result for the same property
  --side aws|kubernetes   check one side only (the other side's properties are reported as
                          skipped); default both

Exit status: 0 every check passed (skips are listed with their reason), 1 a check failed,
2 bad input or a target that cannot be reached, 3 stackproof itself failed.`;

const OPTIONS = {
  outputs: { type: 'string' },
  expectations: { type: 'string' },
  context: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string' },
  settle: { type: 'string' },
  side: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `stackproof live check`: a thin front door over @stackproof/infra-tests. */
export async function liveCheckCommand(
  args: readonly string[],
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<CliOutcome> {
  const parsed = parseFlags(args, OPTIONS, LIVE_CHECK_USAGE, false);
  const { values } = parsed;
  if (values.help) return { exitCode: 0, stdout: `${LIVE_CHECK_USAGE}\n` };
  if (values.outputs === undefined) {
    throw new UsageError(`--outputs DIR is required\n\n${LIVE_CHECK_USAGE}`);
  }
  const format = (values.format ?? 'text') as LiveReportFormat;
  if (!LIVE_REPORT_FORMATS.includes(format)) {
    throw new UsageError(
      `--format must be one of ${LIVE_REPORT_FORMATS.join(', ')}; got '${values.format}'`,
    );
  }
  if (values.side !== undefined && values.side !== 'aws' && values.side !== 'kubernetes') {
    throw new UsageError(`--side must be aws or kubernetes; got '${values.side}'`);
  }
  const expectationsFile = values.expectations ?? resolve('expectations', 'sandbox.json');
  // Read the gate report first: a bad file is bad input, found before any API call.
  const unknowns = values.settle === undefined ? undefined : await readGateUnknowns(values.settle);
  await using target = await openLiveTarget({
    outputsDir: values.outputs,
    expectationsFile,
    ...(values.context !== undefined ? { context: values.context } : {}),
    ...(values.side !== undefined ? { sides: [values.side as 'aws' | 'kubernetes'] } : {}),
  });
  for (const warning of target.warnings) progress(`warning: ${warning}`);
  let done = 0;
  const run = await runLiveChecks(target, {
    onProperty: (property, events) => {
      done++;
      const worst = events.some((e) => e.status === 'fail')
        ? 'FAIL'
        : events.every((e) => e.status === 'pass')
          ? 'pass'
          : 'skip';
      progress(`[${done}] ${worst.padEnd(4)} ${property}`);
    },
  });
  const report = buildLiveReport(run, {
    outputs: values.outputs,
    expectations: expectationsFile,
    ...(target.context.kube !== undefined ? { kubeContext: target.context.kube.context } : {}),
    ...(target.awsClients?.endpoint !== undefined
      ? { awsEndpoint: target.awsClients.endpoint }
      : {}),
  });
  const final =
    unknowns === undefined
      ? report
      : { ...report, settled: settleUnknowns(unknowns, report.findings) };
  const exitCode = final.summary.passed ? 0 : 1;
  const text = formatLiveReport(final, format);
  if (values.output !== undefined) {
    await writeFileAtomically(values.output, text);
    const lines = formatLiveText(final).trimEnd().split('\n');
    return { exitCode, stdout: `${lines.slice(-3).join('\n')}\nreport: ${values.output}\n` };
  }
  return { exitCode, stdout: text };
}
