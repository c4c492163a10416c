import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real `stackproof` bin the CLI tests start, as a user runs it. */
export const BIN = fileURLToPath(new URL('./bin.ts', import.meta.url));

export interface BinRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin to completion (blocking); killed after `timeoutMs`. */
export function runBinSync(args: readonly string[], cwd: string, timeoutMs = 60_000): BinRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the bin without blocking this process (a server in the test can answer the child
 * meanwhile); SIGKILLed after `timeoutMs` so a hung run cannot outlive its test.
 */
export function runBin(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<BinRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
