/**
 * Where the reference stack (terraform/aws) runs: its region and three availability zones. The
 * sandbox's nodes, the moto emulator and the AWS fixtures default to these, so that every local
 * stand-in answers with the same names the stack uses on AWS.
 */
export const DEFAULT_REGION = 'me-central-1';

export const DEFAULT_ZONES = ['me-central-1a', 'me-central-1b', 'me-central-1c'] as const;
