export type { CliOutcome } from './cli-outcome.ts';
export { EXIT_BAD_INPUT, EXIT_INTERNAL, runCli } from './run-cli.ts';
export { UsageError } from './usage-error.ts';
export { STACKPROOF_VERSION } from './version.ts';
