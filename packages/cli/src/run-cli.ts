import { type ErrorKind, isStackproofError } from '@stackproof/core';
import type { CliOutcome } from './cli-outcome.ts';
import { UsageError } from './usage-error.ts';
import { STACKPROOF_VERSION } from './version.ts';

export const USAGE = `Usage: stackproof <command>

Commands:
  policy check <plan.json | manifests.yaml | dir>   evaluate the policy gate (see --help)
  live check --outputs DIR                          check the live stack after apply (see --help)
  sandbox up | down | status | env | nodes | database | fail | restore
                                                    the local stand-in for AWS + EKS
  terraform inputs | upstream <workspace>           wire a workspace to the outputs before it
  load run | manifest | aggregate                   k6 load: the HPA scale-out contract (see --help)
  chaos run | recover | fis-template                AZ outage, node loss, pod kill, RDS failover (see --help)
  release deploy | migrate | prove                  migrations, then helm upgrade --atomic; the
                                                    rollout and rollback proof under load
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
    // --version anywhere before a `--` answers the version, whatever else the line says.
    const end = argv.indexOf('--');
    if ((end === -1 ? argv : argv.slice(0, end)).includes('--version'))
      return { exitCode: 0, stdout: `${STACKPROOF_VERSION}\n`, stderr: '' };
    if (command === undefined || command === '--help' || command === '-h') {
      return {
        exitCode: command === undefined ? EXIT_BAD_INPUT : 0,
        stdout: `${USAGE}\n`,
        stderr: '',
      };
    }
    // Each command's modules are loaded when it runs: all of them together (the AWS SDK, client-node,
    // the load and chaos machinery) cost about 1 s and 190 MB before anything happens (measured
    // with --version), which the policy gate, run on every pull request and on plans of 200k
    // resources, does not need.
    if (command === 'policy') {
      const { POLICY_CHECK_USAGE, policyCheckCommand } = await import('./policy-check-command.ts');
      if (sub === undefined || sub === '--help' || sub === '-h') {
        return {
          exitCode: sub === undefined ? EXIT_BAD_INPUT : 0,
          stdout: `${POLICY_CHECK_USAGE}\n`,
          stderr: '',
        };
      }
      if (sub === 'check') {
        const result = await policyCheckCommand(rest);
        return { exitCode: result.exitCode, stdout: result.stdout, stderr: '' };
      }
      throw new UsageError(`unknown policy subcommand '${sub}'\n\n${POLICY_CHECK_USAGE}`);
    }
    if (command === 'live') {
      const { LIVE_CHECK_USAGE, liveCheckCommand } = await import('./live-check-command.ts');
      if (sub === 'check') {
        const result = await liveCheckCommand(rest);
        return { exitCode: result.exitCode, stdout: result.stdout, stderr: '' };
      }
      throw new UsageError(`unknown live subcommand '${sub ?? ''}'\n\n${LIVE_CHECK_USAGE}`);
    }
    if (command === 'sandbox') {
      const { sandboxCommand } = await import('./sandbox-command.ts');
      const result = await sandboxCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr ?? '' };
    }
    if (command === 'terraform') {
      const { terraformCommand } = await import('./terraform-command.ts');
      const result = await terraformCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: '' };
    }
    if (command === 'load') {
      const { loadCommand } = await import('./load-command.ts');
      const result = await loadCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr ?? '' };
    }
    if (command === 'chaos') {
      const { chaosCommand } = await import('./chaos-command.ts');
      const result = await chaosCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr ?? '' };
    }
    if (command === 'release') {
      const { releaseCommand } = await import('./release-command.ts');
      const result = await releaseCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr ?? '' };
    }
    if (command === 'gameday') {
      const { gamedayCommand } = await import('./gameday-command.ts');
      const result = await gamedayCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr ?? '' };
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
