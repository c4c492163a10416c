import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { SEVERITIES, type Severity, StackproofError } from '@stackproof/core';
import {
  formatReport,
  PolicyBundle,
  type PolicyReport,
  REPORT_FORMATS,
  type ReportFormat,
  reportChunks,
  runPolicyCheck,
  summaryLine,
} from '@stackproof/policies';
import type { CliOutcome } from './cli-outcome.ts';
import { UsageError } from './usage-error.ts';
import { STACKPROOF_VERSION } from './version.ts';

export const POLICY_CHECK_USAGE = `Usage: stackproof policy check <plan.json | manifests.yaml | dir> [options]

Evaluates the stackproof policies on a Terraform plan (terraform show -json plan.out) or on
rendered Kubernetes manifests.

Options:
  --format text|json|sarif|junit|github   report format (default text)
  --output FILE                           write the report to FILE (stdout gets the counts line)
  --waivers FILE                          YAML waivers: rule, address glob, reason, owner, expires
  --fail-on low|medium|high|critical      lowest severity that fails the run (default high)
  --fail-on-unknown                       also fail on results unknown until apply
  --source-dir DIR                        root module dir for .tf locations (default: plan's dir, else cwd)
  --param NAME=VALUE                      policy parameter, e.g. az_count=3 (repeatable)
  --bundle FILE                           a policy.wasm other than the bundled one

Exit status: 0 clean, 1 findings at or above --fail-on (or an expired waiver), 2 bad input,
3 stackproof itself failed.`;

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got '${value}'`);
  }
  return value as T;
}

function parseParams(values: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const entry of values) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param expects NAME=VALUE, got '${entry}'`);
    const raw = entry.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the text
    }
    params[entry.slice(0, eq)] = value;
  }
  return params;
}

/** --output names a place the report cannot be written to. */
export class ReportOutputError extends StackproofError {
  constructor(file: string, reason: string) {
    super(
      'OUTPUT_NOT_WRITABLE',
      'bad-input',
      `cannot write the report to ${file}: ${reason}; pass --output a file path in a folder you can write to`,
    );
  }
}

const OUTPUT_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a part of the path is a file, not a directory',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/** Writes the chunks to `file` as they come, waiting whenever the disk is behind. */
async function writeChunks(file: string, chunks: Iterable<string>): Promise<void> {
  const out = createWriteStream(file);
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  // Raced below; this keeps an error after the last race from going unhandled.
  failed.catch(() => undefined);
  try {
    for (const chunk of chunks) {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  } finally {
    out.destroy();
  }
}

async function writeAtomically(file: string, report: PolicyReport, format: ReportFormat) {
  // A report file is complete or absent: never half written. A missing folder is created, as
  // `--output reports/gate.sarif` in a fresh CI checkout expects. The report is written a piece
  // at a time: for a large plan it is hundreds of MB as one string.
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeChunks(temp, reportChunks(report, format));
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = OUTPUT_REASONS[code];
    if (reason === undefined) throw error;
    throw new ReportOutputError(file, reason);
  }
}

const OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string' },
  waivers: { type: 'string' },
  'fail-on': { type: 'string' },
  'fail-on-unknown': { type: 'boolean' },
  'source-dir': { type: 'string' },
  param: { type: 'string', multiple: true },
  bundle: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseCheckArgs(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${POLICY_CHECK_USAGE}`);
  }
}

export async function policyCheckCommand(args: readonly string[]): Promise<CliOutcome> {
  const { values, positionals } = parseCheckArgs(args);
  if (values.help) return { exitCode: 0, stdout: `${POLICY_CHECK_USAGE}\n` };
  if (positionals.length !== 1 || positionals[0] === undefined) {
    throw new UsageError(
      `expected exactly one plan, manifest file or directory\n\n${POLICY_CHECK_USAGE}`,
    );
  }
  const format = oneOf<ReportFormat>('format', values.format, REPORT_FORMATS, 'text');
  const failOn = oneOf<Severity>('fail-on', values['fail-on'], SEVERITIES, 'high');
  const report = await runPolicyCheck({
    target: positionals[0],
    version: STACKPROOF_VERSION,
    failOn,
    failOnUnknown: values['fail-on-unknown'] ?? false,
    params: parseParams(values.param ?? []),
    ...(values.waivers !== undefined ? { waiversFile: values.waivers } : {}),
    ...(values['source-dir'] !== undefined ? { sourceDir: values['source-dir'] } : {}),
    ...(values.bundle !== undefined ? { bundle: await PolicyBundle.load(values.bundle) } : {}),
    // A plan of many thousands of resources takes several evaluations: say so on a terminal.
    ...(process.stderr.isTTY
      ? {
          onEvaluation: ({ input, evaluation, evaluations, resources }) => {
            if (evaluations > 1) {
              process.stderr.write(
                `\r${input}: evaluation ${evaluation}/${evaluations} (${resources} resources)${evaluation === evaluations ? '\n' : ''}`,
              );
            }
          },
        }
      : {}),
  });
  const exitCode = report.summary.passed ? 0 : 1;
  if (values.output !== undefined) {
    await writeAtomically(values.output, report, format);
    return { exitCode, stdout: `${summaryLine(report)}\n` };
  }
  return { exitCode, stdout: formatReport(report, format) };
}
