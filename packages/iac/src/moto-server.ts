import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { IacError } from './iac-error.ts';

export interface MotoServer extends AsyncDisposable {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(endpoint: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  let delay = 50;
  while (Date.now() < until) {
    if (child.exitCode !== null) {
      throw new IacError(
        'MOTO_START_FAILED',
        `moto_server exited with ${child.exitCode} before answering`,
      );
    }
    try {
      const r = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
  throw new IacError(
    'MOTO_START_FAILED',
    `moto_server did not answer on ${endpoint} within ${deadlineMs} ms`,
  );
}

/**
 * Starts `moto_server` (python3 moto[server]) on a free loopback port and waits until it answers.
 * `await using` stops it; stop() kills only the process it started.
 */
export async function startMotoServer(
  options: { command?: string; readyTimeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<MotoServer> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(options.command ?? 'moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(options.env !== undefined ? { env: { ...process.env, ...options.env } } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err) =>
      reject(
        new IacError(
          'MOTO_START_FAILED',
          `cannot start moto_server: ${err.message}; install it with 'pip install moto[server]==5.2.1' or run 'make tools'`,
        ),
      ),
    ),
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await Promise.race([waitReady(endpoint, child, options.readyTimeoutMs ?? 30_000), spawnError]);
  } catch (err) {
    await stop();
    if (err instanceof IacError && stderr !== '') err.message += `\n${stderr}`;
    throw err;
  }
  return { endpoint, stop, [Symbol.asyncDispose]: stop };
}
