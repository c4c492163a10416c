import {
  PolicyBundleError,
  PolicyInputError,
  STACKPROOF_VERSION,
  WaiverFileError,
} from '@stackproof/policies';
import { SandboxLifecycleError } from '@stackproof/sandbox';
import { POLICY_CHECK_USAGE, policyCheckCommand } from './policy-check-command.ts';
import { sandboxCommand } from './sandbox-command.ts';
import { UsageError } from './usage-error.ts';

export const USAGE = `Usage: stackproof <command>

Commands:
  policy check <plan.json | manifests.yaml | dir>   evaluate the policy gate (see --help)
  sandbox up | down | status | env | fail | restore  the local stand-in for AWS + EKS

Options: --help, --version`;

export interface CliOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Exit status for bad input of any kind: the user must change what they passed in. */
export const EXIT_BAD_INPUT = 2;
/** Exit status when stackproof itself is broken (missing or stale bundle, a bug). */
export const EXIT_INTERNAL = 3;

/**
 * The only place where errors become exit codes and messages. Library code throws typed errors
 * with a `code`; this maps them.
 */
export async function runCli(argv: readonly string[]): Promise<CliOutcome> {
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
    if (command === 'sandbox') {
      const result = await sandboxCommand(sub === undefined ? [] : [sub, ...rest]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr ?? '' };
    }
    if (command === 'policy') {
      throw new UsageError(`unknown policy subcommand '${sub ?? ''}'\n\n${POLICY_CHECK_USAGE}`);
    }
    throw new UsageError(`unknown command '${command}'\n\n${USAGE}`);
  } catch (error) {
    if (error instanceof UsageError) {
      return { exitCode: EXIT_BAD_INPUT, stdout: '', stderr: `stackproof: ${error.message}\n` };
    }
    if (error instanceof PolicyInputError || error instanceof WaiverFileError) {
      return {
        exitCode: EXIT_BAD_INPUT,
        stdout: '',
        stderr: `stackproof: error [${error.code}] ${error.message}\n`,
      };
    }
    if (error instanceof SandboxLifecycleError) {
      return {
        exitCode: error.code === 'SANDBOX_NOT_RUNNING' ? EXIT_BAD_INPUT : EXIT_INTERNAL,
        stdout: '',
        stderr: `stackproof: error [${error.code}] ${error.message}\n`,
      };
    }
    if (error instanceof PolicyBundleError) {
      return {
        exitCode: EXIT_INTERNAL,
        stdout: '',
        stderr: `stackproof: error [${error.code}] ${error.message}\n`,
      };
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return {
      exitCode: EXIT_INTERNAL,
      stdout: '',
      stderr: `stackproof: internal error: ${detail}\n`,
    };
  }
}
