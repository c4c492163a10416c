import { type ErrorKind, isStackproofError } from '@stackproof/core';
import { STACKPROOF_VERSION } from '@stackproof/policies';
import { chaosCommand } from './chaos-command.ts';
import type { CliOutcome } from './cli-outcome.ts';
import { gamedayCommand } from './gameday-command.ts';
import { LIVE_CHECK_USAGE, liveCheckCommand } from './live-check-command.ts';
import { loadCommand } from './load-command.ts';
import { POLICY_CHECK_USAGE, policyCheckCommand } from './policy-check-command.ts';
import { sandboxCommand } from './sandbox-command.ts';
import { terraformCommand } from './terraform-command.ts';
import { UsageError } from './usage-error.ts';

export const USAGE = `Usage: stackproof <command>

Commands:
  policy check <plan.json | manifests.yaml | dir>   evaluate the policy gate (see --help)
  live check --outputs DIR                          check the live stack after apply (see --help)
  sandbox up | down | status | env | nodes | database | fail | restore
                                                    the local stand-in for AWS + EKS
  terraform inputs | upstream <workspace>           wire a workspace to the outputs before it
  load run | manifest | aggregate                   k6 load: the HPA scale-out contract (see --help)
  chaos run | recover | fis-template                AZ outage, node loss, pod kill, RDS failover (see --help)
  gameday                                           the whole proof in one run and one report (see --help)

Options: --help, --version`;

/** Exit status for bad input of any kind: the user must change what they passed in. */
export const EXIT_BAD_INPUT = 2;
/** Exit status when stackproof itself is broken (missing or stale bundle, a bug). */
export const EXIT_INTERNAL = 3;

/**
 * The only place where errors become exit codes and messages. Library code throws typed errors
 * with a `code`; this maps them.
 */
export async function runCli(argv: readonly string[]): Promise<Required<CliOutcome>> {
  try {
    const [command, sub, ...rest] = argv;
    if (command === '--version')
      return { exitCode: 0, stdout: `${STACKPROOF_VERSION}\n`, stderr: '' };
    if (command === undefined || command === '--help' || command === '-h') {
      return {
        exitCode: command === undefined ? EXIT_BAD_INPUT : 0,
        stdout: `${USAGE}\n`,
        stderr: '',
      };
    }
    if (command === 'policy' && sub === 'check') {
      const result = await policyCheckCommand(rest);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: '' };
    }
    if (command === 'live' && sub === 'check') {
      const result = await liveCheckCommand(rest);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: '' };
    }
    if (command === 'live') {
      throw new UsageError(`unknown live subcommand '${sub ?? ''}'\n\n${LIVE_CHECK_USAGE}`);
    }
    if (command === 'live' && sub === 'check') {
      const result = await liveCheckCommand(rest);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: '' };
    }
    if (command === 'live') {
      throw new UsageError(`unknown live subcommand '${sub ?? ''}'\n\n${LIVE_CHECK_USAGE}`);
    }
    if (command === 'sandbox') {
      const result = await sandboxCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr ?? '' };
    }
    if (command === 'terraform') {
      const result = await terraformCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: '' };
    }
    if (command === 'load') {
      const result = await loadCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr ?? '' };
    }
    if (command === 'chaos') {
      const result = await chaosCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr ?? '' };
    }
    if (command === 'gameday') {
      const result = await gamedayCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr ?? '' };
    }
    if (command === 'policy') {
      throw new UsageError(`unknown policy subcommand '${sub ?? ''}'\n\n${POLICY_CHECK_USAGE}`);
    }
    throw new UsageError(`unknown command '${command}'\n\n${USAGE}`);
  } catch (error) {
    return errorOutcome(error);
  }
}

/** Exit status per error kind: what the user must fix decides it, not which package raised it. */
export const EXIT_CODE_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  'bad-input': EXIT_BAD_INPUT,
  environment: EXIT_BAD_INPUT,
  internal: EXIT_INTERNAL,
};

/**
 * The only place where errors become exit codes and messages. Library code throws
 * `StackproofError`s with a `code` and a `kind`; a usage error prints as is, every other one as
 * `error [CODE] message`. Anything else is a bug: exit 3 with the stack, for the report.
 */
export function errorOutcome(error: unknown): Required<CliOutcome> {
  if (isStackproofError(error)) {
    const text =
      error instanceof UsageError ? error.message : `error [${error.code}] ${error.message}`;
    return { exitCode: EXIT_CODE_BY_KIND[error.kind], stdout: '', stderr: `stackproof: ${text}\n` };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    exitCode: EXIT_INTERNAL,
    stdout: '',
    stderr: `stackproof: internal error (please report it): ${detail}\n`,
  };
}
