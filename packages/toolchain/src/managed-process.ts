import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { pollUntil, StackproofError } from '@stackproof/core';
import { tailLines } from './run-tool.ts';

// Long-running tools (etcd, kube-apiserver, KWOK, moto, the sandbox's service instances): started
// with their output in a log file, waited for with a readiness probe, stopped with a bound and
// checked gone. runTool is the counterpart for tools that run to completion.

/** A component (etcd, kube-apiserver, kwok, moto...) did not start or did not become ready in time. */
export class ComponentStartError extends StackproofError {
  readonly component: string;
  readonly logFile: string | undefined;

  constructor(component: string, reason: string, logFile?: string, logTail?: string) {
    const where = logFile === undefined ? '' : ` (log: ${logFile})`;
    const tail =
      logTail === undefined || logTail === '' ? '' : `\nLast lines of its log:\n${logTail}`;
    super(
      'COMPONENT_START_FAILED',
      'environment',
      `${component} failed to start: ${reason}${where}${tail}`,
    );
    this.component = component;
    this.logFile = logFile;
  }
}

/** A supervised process survived SIGTERM and SIGKILL, or its pid is still present in /proc. */
export class ComponentStopError extends StackproofError {
  readonly component: string;
  readonly pid: number;

  constructor(component: string, pid: number, reason: string) {
    super(
      'COMPONENT_STOP_FAILED',
      'environment',
      `${component} (pid ${pid}) could not be stopped: ${reason}. ` +
        `Stop it by hand with 'kill -9 ${pid}' and report the log.`,
    );
    this.component = component;
    this.pid = pid;
  }
}

/** Whether `pid` still has a /proc entry (running, or a zombie not yet reaped). Linux only. */
export function isPidAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  /** Component name used in messages ("etcd", "kube-apiserver"). */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface StopOptions {
  /** How long SIGTERM gets before SIGKILL. */
  readonly graceMs?: number;
}

/** A child process with its log and a bounded, verified stop. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the process has exited and been reaped. */
  readonly exited: Promise<ExitInfo>;
  /** The exit status once the process has exited, `undefined` while it runs. */
  exitInfo(): ExitInfo | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the pid is gone from /proc. */
  stop(options?: StopOptions): Promise<ExitInfo>;
}

const DEFAULT_GRACE_MS = 10_000;
const KILL_WAIT_MS = 5_000;

// Children still running when Node exits (a crashed test run, process.exit in a CLI) are killed
// so that no control-plane process outlives the run that started it.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Last `lines` lines of a log file, for error messages; empty when it cannot be read. */
export async function readLogTail(logFile: string, lines = 30, maxBytes = 16_384): Promise<string> {
  try {
    const handle = await open(logFile, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, maxBytes);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return tailLines(buffer.toString('utf8'), lines)
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

/**
 * Starts `command` with its output appended to `logFile`. Throws ComponentStartError when the
 * binary cannot be executed at all; readiness is the caller's business (see waitReady).
 */
export async function startManagedProcess(options: ManagedProcessOptions): Promise<ManagedProcess> {
  installExitHook();
  const logFd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, [...options.args], {
      stdio: ['ignore', logFd, logFd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(logFd);
  }

  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  let info: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      info = { code, signal };
      running.delete(child);
      resolve(info);
    });
  });
  try {
    await spawned;
  } catch (error) {
    throw new ComponentStartError(
      options.name,
      `cannot execute ${options.command}: ${error instanceof Error ? error.message : String(error)}`,
      options.logFile,
    );
  }
  const pid = child.pid;
  if (pid === undefined) {
    throw new ComponentStartError(options.name, `${options.command} has no pid`, options.logFile);
  }
  running.add(child);

  let stopping: Promise<ExitInfo> | undefined;
  const stop = (stopOptions: StopOptions = {}): Promise<ExitInfo> => {
    stopping ??= stopChild(options.name, child, pid, exited, () => info, stopOptions);
    return stopping;
  };

  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    exitInfo: () => info,
    stop,
  };
}

async function stopChild(
  name: string,
  child: ChildProcess,
  pid: number,
  exited: Promise<ExitInfo>,
  current: () => ExitInfo | undefined,
  options: StopOptions,
): Promise<ExitInfo> {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  if (current() === undefined) {
    child.kill('SIGTERM');
    const graceful = await Promise.race([exited, delay(graceMs, undefined)]);
    if (graceful === undefined) {
      child.kill('SIGKILL');
      const killed = await Promise.race([exited, delay(KILL_WAIT_MS, undefined)]);
      if (killed === undefined) {
        throw new ComponentStopError(name, pid, `still running ${KILL_WAIT_MS} ms after SIGKILL`);
      }
    }
  }
  const result = await exited;
  // Node emits 'exit' after reaping the child, so its /proc entry should already be gone; check
  // rather than assume, since "no process left behind" is what callers rely on.
  await pollUntil(async () => (isPidAlive(pid) ? undefined : true), {
    what: `${name} (pid ${pid}) to leave /proc`,
    timeoutMs: 2_000,
    intervalMs: 20,
  }).catch((error: unknown) => {
    throw new ComponentStopError(name, pid, error instanceof Error ? error.message : String(error));
  });
  return result;
}

/**
 * Polls `probe` until it reports ready, failing at once (with the log tail) if the process exits
 * first, and after `timeoutMs` otherwise.
 */
export async function waitReady(
  proc: ManagedProcess,
  probe: () => Promise<boolean>,
  options: { readonly what: string; readonly timeoutMs: number; readonly intervalMs?: number },
): Promise<void> {
  try {
    await pollUntil(async () => ((await probe()) ? true : undefined), {
      what: options.what,
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs ?? 200,
      abortIf: () => {
        const info = proc.exitInfo();
        return info === undefined
          ? undefined
          : new Error(`exited (code ${info.code}, signal ${info.signal}) before it was ready`);
      },
    });
  } catch (error) {
    throw new ComponentStartError(
      proc.name,
      error instanceof Error ? error.message : String(error),
      proc.logFile,
      await readLogTail(proc.logFile),
    );
  }
}
