import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a running sandbox publishes in `<dir>/sandbox.json` for the CLI, tests and users. */
export interface SandboxState {
  readonly version: 1;
  /** The daemon holding every component (its children). */
  readonly pid: number;
  readonly startedAt: string;
  readonly upSeconds: number;
  readonly kubeconfig: string;
  readonly apiServer: string;
  readonly namespace: string;
  /** Loopback URLs of the reference Services, by component. */
  readonly services: Readonly<Record<string, string>>;
  /** Loopback control API of the daemon (status, fault hooks); needs `controlToken`. */
  readonly controlUrl: string;
  readonly controlToken: string;
  readonly aws?: {
    readonly endpoint: string;
    readonly region: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    /**
     * How the account got there: `replayed` from a recorded apply of terraform/aws, or `seeded`
     * through the SDK from terraform/aws where no recording exists. Never "applied".
     */
    readonly account: 'replayed' | 'seeded';
    readonly workspaces: readonly string[];
    /** `<workspace>.json` per workspace as `terraform output -json` prints them. */
    readonly outputsDir: string;
    /** The seed's record per resource (what moto cannot hold), for a seeded account. */
    readonly seedRecord?: string;
    readonly notHeld: number;
  };
  readonly database: {
    readonly host: string;
    readonly port: number;
    readonly name: string;
    /** Where the server's files are (inside the sandbox dir, or a temp dir; see startSandbox). */
    readonly rootDir: string;
  };
  /** Loopback TCP ports the sandbox listens on (checked free after `down`). */
  readonly ports: readonly number[];
}

export const STATE_FILE = 'sandbox.json';
export const PROGRESS_FILE = 'progress.jsonl';
export const DAEMON_LOG = join('logs', 'sandbox.log');

export function stateFile(dir: string): string {
  return join(dir, STATE_FILE);
}

export async function readSandboxState(dir: string): Promise<SandboxState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dir), 'utf8')) as SandboxState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function writeSandboxState(dir: string, state: SandboxState): Promise<void> {
  // The file holds the control token: readable by the owner only.
  await writeFile(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export async function removeSandboxState(dir: string): Promise<void> {
  await rm(stateFile(dir), { force: true });
}

/** Shell exports for a running sandbox (`stackproof sandbox env`). */
export function sandboxEnvExports(state: SandboxState): string {
  const quote = (v: string): string => `'${v.replaceAll("'", "'\\''")}'`;
  const vars: [string, string][] = [
    ['KUBECONFIG', state.kubeconfig],
    ['STACKPROOF_SANDBOX_NAMESPACE', state.namespace],
    ...(state.aws !== undefined
      ? ([['STACKPROOF_OUTPUTS_DIR', state.aws.outputsDir]] as [string, string][])
      : []),
    ...Object.entries(state.services).map(
      ([name, url]) => [`STACKPROOF_${name.toUpperCase()}_URL`, url] as [string, string],
    ),
  ];
  if (state.aws !== undefined) {
    vars.push(
      ['AWS_ENDPOINT_URL', state.aws.endpoint],
      ['AWS_REGION', state.aws.region],
      ['AWS_DEFAULT_REGION', state.aws.region],
      ['AWS_ACCESS_KEY_ID', state.aws.accessKeyId],
      ['AWS_SECRET_ACCESS_KEY', state.aws.secretAccessKey],
      // No SDK may probe the instance metadata address (off loopback).
      ['AWS_EC2_METADATA_DISABLED', 'true'],
    );
  }
  return vars.map(([k, v]) => `export ${k}=${quote(v)}\n`).join('');
}
