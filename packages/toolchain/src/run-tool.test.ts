import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkTool,
  outputTail,
  runTool,
  ToolFailedError,
  ToolNotFoundError,
  type ToolResult,
} from './index.ts';

const node = process.execPath;
let dir: string;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'stackproof-run-tool-')));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runTool', () => {
  it('runs a tool to completion in its cwd and env, with its output and stdin', async () => {
    const result = await runTool(
      node,
      [
        '-e',
        'process.stdin.pipe(process.stdout); process.stderr.write(process.cwd() + " " + process.env.ANSWER)',
      ],
      { cwd: dir, env: { ANSWER: '42' }, input: 'from stdin' },
    );
    expect(result).toMatchObject({
      path: node,
      exitCode: 0,
      signal: null,
      timedOut: false,
      truncated: false,
      stdout: 'from stdin',
      stderr: `${dir} 42`,
    });
    expect(checkTool(result)).toBe(result);
  });

  it('returns a non-zero exit as a result; checkTool turns it into an error with the tail', async () => {
    const result = await runTool(node, [
      '-e',
      'console.log("step 1"); console.error("boom"); process.exit(3)',
    ]);
    expect(result.exitCode).toBe(3);
    expect(outputTail(result)).toBe('step 1\nboom');
    const error = (() => {
      try {
        checkTool(result, 'in the test');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ToolFailedError);
    expect((error as ToolFailedError).kind).toBe('environment');
    expect(String(error)).toMatch(/-e .* in the test exited 3:\nstep 1\nboom/);
  });

  it('stops a tool that runs past its timeout: SIGTERM, then SIGKILL after the grace', async () => {
    const polite = await runTool(node, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 });
    expect(polite).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
    const stubborn = await runTool(
      node,
      ['-e', 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'],
      { timeoutMs: 500, killGraceMs: 200 },
    );
    expect(stubborn).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(() => checkTool(stubborn)).toThrow(/timed out and was stopped/);
  });

  it('keeps the tail of a large output and streams all of it', async () => {
    let streamed = '';
    const result = await runTool(node, ['-e', 'process.stdout.write("x".repeat(10000) + "END")'], {
      maxOutputChars: 100,
      onOutput: (chunk, stream) => {
        if (stream === 'stdout') streamed += chunk;
      },
    });
    expect(result.truncated).toBe(true);
    expect(result.stdout).toHaveLength(100);
    expect(result.stdout.endsWith('END')).toBe(true);
    expect(streamed).toHaveLength(10_003);
  });

  it('ends a run when its signal aborts', async () => {
    const controller = new AbortController();
    const run = runTool(node, ['-e', 'setInterval(() => {}, 1000)'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const result: ToolResult = await run;
    expect(result).toMatchObject({ aborted: true, timedOut: false, signal: 'SIGTERM' });
  });

  it('refuses a tool that is not installed with an environment error saying how to fix it', async () => {
    const byName = runTool('no-such-tool-here', [], { env: { PATH: dir } });
    await expect(byName).rejects.toBeInstanceOf(ToolNotFoundError);
    await expect(byName).rejects.toMatchObject({ kind: 'environment', code: 'TOOL_MISSING' });
    await expect(byName).rejects.toThrow(/NO_SUCH_TOOL_HERE_BIN is unset.*make tools/);
    await expect(runTool(join(dir, 'missing'), [])).rejects.toThrow(
      /missing not found: .*missing is not an executable file/,
    );
  });
});
