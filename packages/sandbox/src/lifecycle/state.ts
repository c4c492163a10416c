import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { awsEnvExports, isPidAlive } from '@stackproof/toolchain';
import { SandboxLifecycleError } from './errors.ts';

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
  /**
   * The outputs directory (`<dir>/outputs`): one `terraform output -json` document per restored
   * workspace, as CI writes them after apply (core's outputs contract).
   */
  readonly outputsDir: string;
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
    /** The seed's record per resource (what moto cannot hold), for a seeded account. */
    readonly seedRecord?: string;
    readonly notHeld: number;
  };
  /**
   * The database's endpoint (the RDS DNS name's stand-in: a failover moves what it reaches, never
   * the address) and the sandbox's test credentials.
   */
  readonly database: {
    readonly host: string;
    readonly port: number;
    readonly name: string;
    readonly user: string;
    readonly password: string;
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

/** The running sandbox's state, or a clear error when there is none. */
export async function requireSandbox(dir: string): Promise<SandboxState> {
  const state = await readSandboxState(resolve(dir));
  if (state === undefined || !isPidAlive(state.pid)) {
    throw new SandboxLifecycleError(
      'SANDBOX_NOT_RUNNING',
      `no sandbox is running in ${resolve(dir)}; start one with: stackproof sandbox up`,
    );
  }
  return state;
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
    // Where `pnpm test:infra` reads the outputs, as in CI.
    ['STACKPROOF_OUTPUTS_DIR', state.outputsDir],
    // The database endpoint, as the backend reaches it (libpq URL; the sandbox's test password).
    [
      'STACKPROOF_DATABASE_URL',
      `postgresql://${state.database.user}:${encodeURIComponent(state.database.password)}@${state.database.host}:${state.database.port}/${state.database.name}`,
    ],
    ...Object.entries(state.services).map(
      ([name, url]) => [`STACKPROOF_${name.toUpperCase()}_URL`, url] as [string, string],
    ),
  ];
  const sandboxVars = vars.map(([k, v]) => `export ${k}=${quote(v)}\n`).join('');
  if (state.aws === undefined) return sandboxVars;
  // The same variables any moto user gets (toolchain's awsEnv): endpoint, region, key pair, and
  // no instance-metadata probing (off loopback).
  return (
    sandboxVars +
    awsEnvExports({
      endpoint: state.aws.endpoint,
      region: state.aws.region,
      credentials: {
        accessKeyId: state.aws.accessKeyId,
        secretAccessKey: state.aws.secretAccessKey,
      },
    })
  );
}
