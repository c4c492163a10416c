/** Static credentials for the emulator. moto accepts any; these are the values its docs use. */
export interface AwsTestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const AWS_TEST_CREDENTIALS: AwsTestCredentials = {
  accessKeyId: 'testing',
  secretAccessKey: 'testing',
};

/** The account id moto answers with (STS GetCallerIdentity, ARNs) unless told otherwise. */
export const MOTO_DEFAULT_ACCOUNT_ID = '123456789012';

/** Where an AWS API answers and how to sign for it: what users, tests and SDK clients need. */
export interface AwsEndpoint {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: AwsTestCredentials;
}

/**
 * The environment that points the AWS CLI, the SDKs (v3 honours AWS_ENDPOINT_URL) and OpenTofu's
 * provider at the emulator. AWS_EC2_METADATA_DISABLED keeps SDKs from probing the instance
 * metadata address (169.254.169.254): only loopback traffic is allowed here.
 */
export function awsEnv(target: AwsEndpoint): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: target.endpoint,
    AWS_REGION: target.region,
    AWS_DEFAULT_REGION: target.region,
    AWS_ACCESS_KEY_ID: target.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.credentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** POSIX-shell single quoting: safe for any value. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `awsEnv` as `export NAME='value'` lines, for `eval "$(stackproof sandbox env)"`. */
export function awsEnvExports(target: AwsEndpoint): string {
  return Object.entries(awsEnv(target))
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
    .join('\n')
    .concat('\n');
}
