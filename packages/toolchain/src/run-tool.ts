import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { StackproofError } from '@stackproof/core';
import { isExecutableFile, resolveTool, toolEnvVar } from './resolve-tool.ts';
import { ToolNotFoundError } from './tool-not-found-error.ts';

export interface RunToolOptions {
  readonly cwd?: string;
  /** The child's whole environment, also where the tool is resolved from. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Bound on the whole run (default 10 min): past it the tool gets SIGTERM, then SIGKILL after
   * `killGraceMs`, and the result says `timedOut`. A hung tool must not hang a run or the suite.
   */
  readonly timeoutMs?: number;
  /** Between SIGTERM and SIGKILL, for tools that finish gracefully (k6 writes its summary). */
  readonly killGraceMs?: number;
  /**
   * Characters of stdout and of stderr kept, each: the tail is kept and `truncated` set when a
   * tool prints more. Default 64 Mi (enough for `tofu show -json` of a large plan).
   */
  readonly maxOutputChars?: number;
  /** Live output as it arrives (progress of long runs), whatever is kept. */
  readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Written to the tool's stdin, which is then closed (default: no stdin). */
  readonly input?: string;
  /** Ends the run like a timeout does (SIGTERM, grace, SIGKILL); the result says `aborted`. */
  readonly signal?: AbortSignal;
}

/** How a tool run ended: plain data, so it can be logged, journaled or compared. */
export interface ToolResult {
  /** The tool as asked for: a name (`helm`) or a path. */
  readonly tool: string;
  /** The binary that ran. */
  readonly path: string;
  readonly args: readonly string[];
  /** Exit status; null when it was ended by a signal. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** It ran past `timeoutMs` and was stopped. */
  readonly timedOut: boolean;
  /** `options.signal` stopped it. */
  readonly aborted: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** Output past `maxOutputChars` was dropped from the start of stdout or stderr. */
  readonly truncated: boolean;
  readonly durationMs: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_KILL_GRACE_MS = 5_000;
const DEFAULT_MAX_OUTPUT_CHARS = 64 * 1024 * 1024;

/** The tool could not be started at all (not a non-zero exit: that is a result). */
export class ToolStartError extends StackproofError {
  readonly tool: string;

  constructor(tool: string, path: string, reason: string) {
    super('TOOL_START_FAILED', 'environment', `cannot start ${tool} (${path}): ${reason}`);
    this.tool = tool;
  }
}

/** A tool ended with a non-zero status, a signal or a timeout where success was required. */
export class ToolFailedError extends StackproofError {
  readonly result: ToolResult;

  constructor(result: ToolResult, context?: string) {
    const where = context === undefined ? '' : ` ${context}`;
    super(
      'TOOL_FAILED',
      'environment',
      `${basename(result.tool)} ${result.args.join(' ')}${where} ${describeEnd(result)}` +
        tailSection(result),
    );
    this.result = result;
  }
}

/** `exited 1`, `was killed by SIGKILL`, `timed out and was stopped`. */
export function describeEnd(result: ToolResult): string {
  if (result.timedOut) return 'timed out and was stopped';
  if (result.aborted) return 'was aborted';
  if (result.exitCode !== null) return `exited ${result.exitCode}`;
  return `was killed by ${result.signal ?? 'a signal'}`;
}

function tailSection(result: ToolResult): string {
  const tail = outputTail(result);
  return tail === '' ? '' : `:\n${tail}`;
}

/** The last `lines` non-empty lines of a text, for error messages. */
export function tailLines(text: string, lines = 25): string {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-lines)
    .join('\n');
}

/** The last lines of what a tool printed (stderr after stdout), for error messages. */
export function outputTail(result: ToolResult, lines = 25): string {
  return tailLines(`${result.stdout}\n${result.stderr}`, lines);
}

/** A name goes through resolveTool (`<NAME>_BIN`, then PATH); a path is used as it is. */
function binaryFor(tool: string, env: NodeJS.ProcessEnv): string {
  if (!tool.includes('/')) return resolveTool(tool, env).path;
  if (!isExecutableFile(tool)) {
    const name = basename(tool);
    throw new ToolNotFoundError(name, toolEnvVar(name), `${tool} is not an executable file`);
  }
  return tool;
}

/** Keeps the last `max` characters of a stream. */
class Tail {
  #text = '';
  truncated = false;
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  push(chunk: string): void {
    this.#text += chunk;
    if (this.#text.length > this.#max) {
      this.#text = this.#text.slice(-this.#max);
      this.truncated = true;
    }
  }
  get text(): string {
    return this.#text;
  }
}

/**
 * Runs a tool to completion and returns how it ended; a non-zero exit is a result, not an
 * exception (see `checkTool`). The one way stackproof runs a command: the binary is resolved
 * with `resolveTool` (a missing tool is a `ToolNotFoundError`, an environment error that says how
 * to fix it), the run is bounded (timeout, then SIGTERM, grace, SIGKILL), and the output kept is
 * bounded too (its tail), while `onOutput` sees all of it as it comes.
 */
export async function runTool(
  tool: string,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolResult> {
  const env = options.env ?? process.env;
  const path = binaryFor(tool, env);
  const max = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
  const stdout = new Tail(max);
  const stderr = new Tail(max);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path, [...args], {
      cwd: options.cwd,
      env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      child.kill('SIGTERM');
      killTimer = setTimeout(
        () => child.kill('SIGKILL'),
        options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      );
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout.push(chunk);
      options.onOutput?.(chunk, 'stdout');
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr.push(chunk);
      options.onOutput?.(chunk, 'stderr');
    });
    if (options.input !== undefined) {
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input);
    }
    child.once('error', (error) => {
      cleanup();
      reject(new ToolStartError(tool, path, error.message));
    });
    child.once('close', (code, signal) => {
      cleanup();
      resolve({
        tool,
        path,
        args: [...args],
        exitCode: code,
        signal,
        timedOut,
        aborted,
        stdout: stdout.text,
        stderr: stderr.text,
        truncated: stdout.truncated || stderr.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    });
    if (options.signal?.aborted === true) onAbort();
  });
}

/** The result when the tool exited 0; otherwise a ToolFailedError with the tail of its output. */
export function checkTool(result: ToolResult, context?: string): ToolResult {
  if (result.exitCode === 0 && !result.timedOut && !result.aborted) return result;
  throw new ToolFailedError(result, context);
}
