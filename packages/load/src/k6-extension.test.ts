import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { reserveLoopbackPort } from '@stackproof/core';
import { resolveTool } from '@stackproof/toolchain';
import { beforeAll, describe, expect, it } from 'vitest';
import { K6RunError } from './k6-errors.ts';
import { runK6 } from './k6-run.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../test-fixtures/${name}`, import.meta.url));
const k6Env = { ...process.env, K6_AUTO_EXTENSION_RESOLUTION: 'false', K6_NO_USAGE_REPORT: 'true' };

describe('the k6 build carries the xk6-kubernetes extension', () => {
  let k6Path = '';
  beforeAll(() => {
    k6Path = resolveTool('k6').path;
  });

  it('lists k6/x/kubernetes among its extensions and is k6 v2', async () => {
    const { stdout } = await promisify(execFile)(k6Path, ['version', '--json'], { env: k6Env });
    const info = JSON.parse(stdout) as {
      version: string;
      extensions?: { module: string; imports: string[] }[];
    };
    expect(info.version).toMatch(/^v2\./);
    expect(info.extensions).toContainEqual(
      expect.objectContaining({
        module: 'github.com/grafana/xk6-kubernetes',
        imports: ['k6/x/kubernetes'],
      }),
    );
  });

  it('runs a script whose kubernetes client reaches the API server address it was given', async () => {
    // nothing listens there: the extension's own error names the address, which proves its Go ran
    const port = await reserveLoopbackPort();
    const result = await runK6({
      script: fixture('kubernetes-extension.js'),
      k6Path,
      scriptEnv: { KUBE_SERVER: `http://127.0.0.1:${port}` },
      timeoutMs: 60_000,
    });
    expect(result.thresholds).toEqual([{ metric: 'checks', expression: 'rate==1', passed: true }]);
    expect(result.exitCode).toBe(0);
  });

  it('refuses a script that imports an extension that is not compiled in', async () => {
    const run = runK6({ script: fixture('missing-extension.js'), k6Path, timeoutMs: 60_000 });
    await expect(run).rejects.toBeInstanceOf(K6RunError);
    await expect(run).rejects.toThrow(/k6\/x\/stackproof-does-not-exist/);
  });
});
