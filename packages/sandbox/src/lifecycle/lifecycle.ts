import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isLoopbackPortFree } from '@stackproof/core';
import { isPidAlive, readLogTail } from '@stackproof/toolchain';
import { removeTerraformOutputs, sandboxOutputsDir } from '../aws/outputs.ts';
import { SandboxClient } from '../sandbox-client.ts';
import type { ProgressLine } from './daemon.ts';
import { SandboxLifecycleError } from './errors.ts';
import type { ComponentHealth } from './health.ts';
import { processesMarkedWith, processesReferencing, type ResidualProcess } from './residue.ts';
import {
  DAEMON_LOG,
  PROGRESS_FILE,
  readSandboxState,
  removeSandboxState,
  type SandboxState,
} from './state.ts';

const DAEMON_SCRIPT = fileURLToPath(new URL('./daemon.ts', import.meta.url));
const UP_TIMEOUT_MS = 10 * 60_000;
const DOWN_TIMEOUT_MS = 90_000;

export interface UpOptions {
  readonly dir: string;
  readonly onProgress?: (line: ProgressLine) => void;
}

export interface UpResult {
  readonly state: SandboxState;
  /** False when a healthy sandbox was already running (up is idempotent). */
  readonly started: boolean;
}

/**
 * Starts the sandbox daemon in the background and follows its progress until it is ready, or
 * returns the running one. A failed start stops the daemon (which stops what it started) and
 * raises the component's error with the tail of its log.
 */
export async function sandboxUp(options: UpOptions): Promise<UpResult> {
  const dir = resolve(options.dir);
  const existing = await readSandboxState(dir);
  if (existing !== undefined && isPidAlive(existing.pid)) {
    try {
      await new SandboxClient(existing).health();
      return { state: existing, started: false };
    } catch {
      // A daemon that does not answer is stopped and replaced below.
    }
  }
  if (existing !== undefined || (await residue(dir)).length > 0) await sandboxDown({ dir });

  await mkdir(join(dir, 'logs'), { recursive: true });
  const progressFile = join(dir, PROGRESS_FILE);
  await rm(progressFile, { force: true });
  const logFd = openSync(join(dir, DAEMON_LOG), 'a');
  const daemon = spawn(process.execPath, [DAEMON_SCRIPT, '--dir', dir], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    cwd: dir,
  });
  closeSync(logFd);
  daemon.unref();
  const exited = new Promise<number | null>((r) => daemon.once('exit', (code) => r(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });

  const deadline = Date.now() + UP_TIMEOUT_MS;
  let seen = 0;
  for (;;) {
    const lines = existsSync(progressFile)
      ? (await readFile(progressFile, 'utf8')).split('\n').filter(Boolean)
      : [];
    for (const raw of lines.slice(seen)) {
      const line = JSON.parse(raw) as ProgressLine;
      options.onProgress?.(line);
      if (line.type === 'failed') {
        await exited;
        throw new SandboxLifecycleError(
          'SANDBOX_START_FAILED',
          `sandbox did not start: ${line.error}\n  (daemon log: ${join(dir, DAEMON_LOG)})`,
        );
      }
      if (line.type === 'ready') {
        const state = await readSandboxState(dir);
        if (state === undefined) throw new Error('sandbox ready but sandbox.json is missing');
        return { state, started: true };
      }
    }
    seen = lines.length;
    if (exitCode !== undefined) {
      throw new SandboxLifecycleError(
        'SANDBOX_START_FAILED',
        `sandbox daemon exited (code ${exitCode}) before it was ready:\n${await readLogTail(join(dir, DAEMON_LOG))}`,
      );
    }
    if (Date.now() > deadline) {
      daemon.kill('SIGTERM');
      await sandboxDown({ dir });
      throw new SandboxLifecycleError(
        'SANDBOX_START_FAILED',
        `sandbox not ready after ${UP_TIMEOUT_MS / 1000} s; stopped it. Log: ${join(dir, DAEMON_LOG)}`,
      );
    }
    await delay(200);
  }
}

/** Processes a sandbox in `dir` left running: components (by path) and instances (by marker). */
async function residue(dir: string, extraDirs: readonly string[] = []): Promise<ResidualProcess[]> {
  const found = await Promise.all([
    processesReferencing(`${dir}/`),
    processesMarkedWith(dir),
    ...extraDirs.map((d) => processesReferencing(`${d}/`)),
  ]);
  const seen = new Set<number>();
  return found.flat().filter((p) => !seen.has(p.pid) && seen.add(p.pid));
}

/** Directories outside `dir` that a sandbox's state says it used (a temp dir for PostgreSQL). */
function outsideDirs(dir: string, state: SandboxState | undefined): string[] {
  const pg = state?.database.rootDir;
  return pg !== undefined && !pg.startsWith(`${dir}/`) ? [pg] : [];
}

export interface DownResult {
  /** False when no sandbox was running. */
  readonly stopped: boolean;
  /** Processes that outlived the daemon (it was killed) and were killed here. */
  readonly killedLeftovers: readonly ResidualProcess[];
}

/**
 * Stops the daemon (which stops every component), kills anything that outlived it, checks that
 * no process and no port of the sandbox is left, and removes the runtime files (logs stay).
 */
export async function sandboxDown(options: { readonly dir: string }): Promise<DownResult> {
  const dir = resolve(options.dir);
  const state = await readSandboxState(dir);
  let stopped = false;
  if (state !== undefined && isPidAlive(state.pid)) {
    stopped = true;
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + DOWN_TIMEOUT_MS;
    while (isPidAlive(state.pid) && Date.now() < deadline) await delay(100);
    if (isPidAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  const extra = outsideDirs(dir, state);
  const leftovers = await residue(dir, extra);
  for (const p of leftovers) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const deadline = Date.now() + 10_000;
  let still = await residue(dir, extra);
  while (still.length > 0 && Date.now() < deadline) {
    await delay(100);
    still = await residue(dir, extra);
  }
  if (still.length > 0) {
    throw new SandboxLifecycleError(
      'SANDBOX_STOP_FAILED',
      `processes still running: ${still.map((p) => `${p.pid} ${p.cmdline}`).join('; ')}`,
    );
  }
  const held: number[] = [];
  for (const port of state?.ports ?? []) if (!(await isLoopbackPortFree(port))) held.push(port);
  if (held.length > 0) {
    throw new SandboxLifecycleError(
      'SANDBOX_STOP_FAILED',
      `loopback ports still held: ${held.join(', ')}`,
    );
  }
  await removeSandboxState(dir);
  for (const outside of extra) await rm(outside, { recursive: true, force: true });
  // The outputs name resources of an account that no longer exists: they go too.
  await removeTerraformOutputs(sandboxOutputsDir(dir));
  for (const sub of ['k8s', 'postgres', PROGRESS_FILE]) {
    await rm(join(dir, sub), { recursive: true, force: true });
  }
  return { stopped: stopped || leftovers.length > 0, killedLeftovers: leftovers };
}

export interface StatusResult {
  readonly running: boolean;
  readonly healthy: boolean;
  readonly state?: SandboxState;
  readonly components: readonly ComponentHealth[];
}

export async function sandboxStatus(options: { readonly dir: string }): Promise<StatusResult> {
  const dir = resolve(options.dir);
  const state = await readSandboxState(dir);
  if (state === undefined || !isPidAlive(state.pid)) {
    return { running: false, healthy: false, components: [] };
  }
  const status = await new SandboxClient(state).health();
  return { running: true, healthy: status.healthy, state, components: status.components };
}
