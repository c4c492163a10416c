import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_REGION, LOOPBACK_HOST, reserveLoopbackPort } from '@stackproof/core';
import { AWS_TEST_CREDENTIALS, type AwsEndpoint, MOTO_DEFAULT_ACCOUNT_ID } from './aws-endpoint.ts';
import { type ManagedProcess, startManagedProcess, waitReady } from './managed-process.ts';
import { resolveTool } from './resolve-tool.ts';

export interface MotoServerOptions {
  /**
   * moto's stdout and stderr (one line per request) are appended here. Default: `moto.log` in a
   * fresh temporary directory, which stop() removes.
   */
  readonly logFile?: string;
  /** Region the endpoint is handed out with (default me-central-1, the stack's region). */
  readonly region?: string;
  /**
   * Where moto's recorder keeps its request log (MOTO_RECORDER_FILEPATH). Default: a file beside
   * the log named after the port, removed by stop(). moto's own default is `moto_recording` in its
   * working directory, which would litter whatever directory it was started from.
   */
  readonly recorderFile?: string;
  /** How long moto gets to answer (default 30 s: importing moto takes seconds on a busy host). */
  readonly readyTimeoutMs?: number;
  /** Environment to resolve MOTO_SERVER_BIN/PATH from and to start moto with. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A moto server on loopback: the AWS API for the plan fixtures, the sandbox and the fault tests. */
export interface MotoServer extends AwsEndpoint, AsyncDisposable {
  readonly port: number;
  readonly accountId: string;
  readonly logFile: string;
  readonly recorderFile: string;
  readonly process: ManagedProcess;
  /** Stops moto (SIGTERM, then SIGKILL) and removes what it owns (recorder file, temp dir). Idempotent. */
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
 * loopback port as a managed process and waits until it answers. The one moto launcher: the plan
 * fixtures (iac), the sandbox and the chaos fault tests all start moto here. Throws
 * ToolNotFoundError when moto is not installed and ComponentStartError (with the log tail) when
 * it does not come up.
 */
export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const env = options.env ?? process.env;
  const command = resolveTool('moto_server', env).path;
  const ownedDir =
    options.logFile === undefined ? await mkdtemp(join(tmpdir(), 'stackproof-moto-')) : undefined;
  const logFile = options.logFile ?? join(ownedDir as string, 'moto.log');
  const port = await reserveLoopbackPort();
  const endpoint = `http://${LOOPBACK_HOST}:${port}`;
  const ownsRecorderFile = options.recorderFile === undefined;
  const recorderFile =
    options.recorderFile ?? join(dirname(logFile), `moto-recorder-${port}.jsonl`);
  const childEnv: NodeJS.ProcessEnv = { ...env, MOTO_RECORDER_FILEPATH: recorderFile };
  // Recording is switched on through /moto-api/recorder/start-recording when wanted, so that
  // readiness probes and anything before the seed never end up in a recording.
  delete childEnv.MOTO_ENABLE_RECORDING;

  let proc: ManagedProcess;
  try {
    proc = await startManagedProcess({
      name: 'moto',
      command,
      args: ['-H', LOOPBACK_HOST, '-p', String(port)],
      logFile,
      env: childEnv,
    });
  } catch (error) {
    if (ownedDir !== undefined) await rm(ownedDir, { recursive: true, force: true });
    throw error;
  }
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await proc.stop({ graceMs: 5_000 });
      if (ownsRecorderFile) await rm(recorderFile, { force: true });
      if (ownedDir !== undefined) await rm(ownedDir, { recursive: true, force: true });
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
    logFile,
    recorderFile,
    process: proc,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
