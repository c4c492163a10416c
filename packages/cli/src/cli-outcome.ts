/** What a command printed and how it ends: the one result type of every CLI command. */
export interface CliOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  /** Nothing when the command printed nothing to stderr. */
  readonly stderr?: string;
}
