import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolveTool } from '@stackproof/toolchain';
import { AWS_TEST_CREDENTIALS, type AwsEndpoint, MOTO_DEFAULT_ACCOUNT_ID } from './aws-endpoint.ts';
import { DEFAULT_REGION } from './kwok-nodes.ts';
import { LOOPBACK_HOST, reserveLoopbackPorts } from './loopback-ports.ts';
import { type ManagedProcess, startManagedProcess, waitReady } from './managed-process.ts';

export interface AwsEmulatorOptions {
  /** moto's stdout and stderr (one line per request) are appended here. */
  readonly logFile: string;
  /** Region the endpoint is handed out with (default me-central-1, the stack's region). */
  readonly region?: string;
  /**
   * Where moto's recorder keeps its request log (MOTO_RECORDER_FILEPATH). Default: a file beside
   * the log named after the port, removed by stop(). moto's own default is `moto_recording` in its
   * working directory, which would litter whatever directory the sandbox was started from.
   */
  readonly recorderFile?: string;
  /** How long moto gets to answer (default 30 s: importing moto takes seconds on a busy host). */
  readonly readyTimeoutMs?: number;
  /** Environment to resolve MOTO_SERVER_BIN/PATH from and to start moto with. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The moto server running for the sandbox on loopback. */
export interface AwsEmulator extends AwsEndpoint, AsyncDisposable {
  readonly port: number;
  readonly accountId: string;
  readonly recorderFile: string;
  readonly process: ManagedProcess;
  /** Stops moto (SIGTERM, then SIGKILL) and removes the default recorder file. Idempotent. */
  stop(): Promise<void>;
}

/** moto's dashboard: answers once the server is up, and touches no service backend. */
async function motoAnswers(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.ok;
}

/**
 * Starts `moto_server` (MOTO_SERVER_BIN or PATH; `make tools` installs moto[server]) on a free
 * loopback port as a managed process and waits until it answers. Throws ToolNotFoundError when moto
 * is not installed and ComponentStartError (with the log tail) when it does not come up.
 */
export async function startAwsEmulator(options: AwsEmulatorOptions): Promise<AwsEmulator> {
  const env = options.env ?? process.env;
  const command = resolveTool('moto_server', env).path;
  const [port] = await reserveLoopbackPorts(1);
  if (port === undefined) throw new Error('no loopback port reserved');
  const endpoint = `http://${LOOPBACK_HOST}:${port}`;
  const ownsRecorderFile = options.recorderFile === undefined;
  const recorderFile =
    options.recorderFile ?? join(dirname(options.logFile), `moto-recorder-${port}.jsonl`);
  const childEnv: NodeJS.ProcessEnv = { ...env, MOTO_RECORDER_FILEPATH: recorderFile };
  // Recording is switched on through /moto-api/recorder/start-recording when wanted, so that
  // readiness probes and anything before the seed never end up in a recording.
  delete childEnv.MOTO_ENABLE_RECORDING;

  const proc = await startManagedProcess({
    name: 'moto',
    command,
    args: ['-H', LOOPBACK_HOST, '-p', String(port)],
    logFile: options.logFile,
    env: childEnv,
  });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await proc.stop({ graceMs: 5_000 });
      if (ownsRecorderFile) await rm(recorderFile, { force: true });
    })();
    return stopped;
  };
  try {
    await waitReady(proc, () => motoAnswers(endpoint), {
      what: `moto on ${endpoint}`,
      timeoutMs: options.readyTimeoutMs ?? 30_000,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    port,
    region: options.region ?? DEFAULT_REGION,
    credentials: AWS_TEST_CREDENTIALS,
    accountId: MOTO_DEFAULT_ACCOUNT_ID,
    recorderFile,
    process: proc,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
