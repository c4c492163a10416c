// Graceful shutdown of the real process (`node src/main.ts`): after SIGTERM the listener closes,
// an in-flight request still completes, the pool closes and the process exits 0. The twin shows a
// request that outlives SHUTDOWN_TIMEOUT_MS is cut instead of holding the process forever.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pollUntil } from '@stackproof/core';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { migrate } from '../src/migrate.ts';
import { createDatabase, envFor } from './harness.ts';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
let database: string;
beforeAll(async () => {
  database = await createDatabase(inject('pg'), 'shutdown');
  await migrate('up', { config: loadConfig(envFor(inject('pg'), database)), log: () => undefined });
});

interface Running {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  port: number;
  waitForLog: (
    predicate: (l: Record<string, unknown>) => boolean,
    what: string,
  ) => Promise<Record<string, unknown>>;
}
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function startProcess(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: pkgDir,
    env: { ...process.env, ...envFor(inject('pg'), database), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const logs: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    logs.push(JSON.parse(line) as Record<string, unknown>);
    for (const w of waiters) w();
  });
  const waitForLog: Running['waitForLog'] = (predicate, what) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const hit = logs.find(predicate);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(
        () => reject(new Error(`no log line: ${what}; got ${JSON.stringify(logs)}`)),
        20_000,
      );
      waiters.push(check);
      check();
    });
  const listening = await waitForLog((l) => l.msg === 'listening', 'listening');
  return { child, logs, port: listening.port as number, waitForLog };
}

/** Sends the headers and part of the body, so the request is in flight until `finish()`. */
async function beginRequest(
  port: number,
  reqId: string,
): Promise<{ socket: Socket; finish: () => void; response: Promise<string> }> {
  const body = JSON.stringify({ name: 'in-flight', quantity: 1 });
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    text += d;
  });
  const response = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.write(
    `POST /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Request-Id: ${reqId}\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
  );
  return { socket, finish: () => socket.write(body.slice(10)), response };
}

const refusesConnections = async (port: number): Promise<boolean> => {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`);
    return false;
  } catch {
    return true;
  }
};

describe('graceful shutdown on SIGTERM', () => {
  it('stops accepting, lets the in-flight request complete, closes the pool and exits 0', async () => {
    const p = await startProcess({ LOG_LEVEL: 'debug' });
    const inflight = await beginRequest(p.port, 'inflight-1');
    await p.waitForLog(
      (l) => l.msg === 'request started' && l.reqId === 'inflight-1',
      'request started',
    );

    p.child.kill('SIGTERM');
    await p.waitForLog((l) => l.msg === 'shutting down: draining in-flight requests', 'draining');
    await pollUntil(async () => ((await refusesConnections(p.port)) ? true : undefined), {
      what: 'the listener to close',
      timeoutMs: 5_000,
      intervalMs: 100,
    });
    expect(p.child.exitCode).toBeNull(); // still draining: the request is not done

    inflight.finish();
    const response = await inflight.response;
    expect(response).toMatch(/^HTTP\/1\.1 201 Created\r\n/);
    expect(response.toLowerCase()).toContain('connection: close');
    const [code] = (await once(p.child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(p.logs.some((l) => l.msg === 'stopped')).toBe(true);
  });

  it('negative twin: a request that outlives SHUTDOWN_TIMEOUT_MS is cut and the process still exits', async () => {
    const p = await startProcess({ LOG_LEVEL: 'debug', SHUTDOWN_TIMEOUT_MS: '300' });
    const inflight = await beginRequest(p.port, 'stuck-1');
    await p.waitForLog(
      (l) => l.msg === 'request started' && l.reqId === 'stuck-1',
      'request started',
    );
    p.child.kill('SIGTERM');
    const response = await inflight.response; // never finished: the server closes the socket
    expect(response).not.toMatch(/^HTTP\/1\.1 201/);
    const [code] = (await once(p.child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(
      p.logs.some(
        (l) => l.msg === 'in-flight requests did not finish in time; closing connections',
      ),
    ).toBe(true);
  });

  it('refuses to start with a bad configuration: exit 2 and every problem listed', async () => {
    const child = spawn(process.execPath, ['src/main.ts'], {
      cwd: pkgDir,
      env: { ...process.env, PORT: 'eighty', PGSSLMODE: 'verify-full', DATABASE_URL: 'mysql://x' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('PORT=eighty');
    expect(stderr).toContain('PGSSLMODE=verify-full needs PGSSLROOTCERT');
    expect(stderr).toContain('DATABASE_URL must start with postgres://');
  });
});
