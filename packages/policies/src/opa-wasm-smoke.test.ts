import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { resolveTool } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

// Toolchain smoke test: the pinned opa compiles a one-rule policy to Wasm and the Node SDK
// evaluates it, so users of the gate need no opa binary at run time.
describe('opa build -t wasm + @open-policy-agent/opa-wasm', { timeout: 60_000 }, () => {
  let dir: string;
  let wasm: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stackproof-opa-smoke-'));
    await writeFile(
      join(dir, 'smoke.rego'),
      'package smoke\n\ndefault allow := false\n\nallow if input.port in {443, 8443}\n',
    );
    const opa = resolveTool('opa').path;
    await run(opa, [
      'build',
      '-t',
      'wasm',
      '-e',
      'smoke/allow',
      '-o',
      join(dir, 'bundle.tar.gz'),
      join(dir, 'smoke.rego'),
    ]);
    await run('tar', ['-xzf', join(dir, 'bundle.tar.gz'), '-C', dir, '/policy.wasm']);
    wasm = await readFile(join(dir, 'policy.wasm'));
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('allows what the rule allows', async () => {
    const policy = await loadPolicy(wasm);
    expect(policy.evaluate({ port: 443 })).toEqual([{ result: true }]);
  });

  it('denies what the rule does not allow', async () => {
    const policy = await loadPolicy(wasm);
    expect(policy.evaluate({ port: 22 })).toEqual([{ result: false }]);
  });

  it('refuses to compile a policy with a type error', async () => {
    await writeFile(join(dir, 'broken.rego'), 'package broken\n\nallow if count(5) > 1\n');
    const failure = await run(resolveTool('opa').path, [
      'build',
      '-t',
      'wasm',
      '-e',
      'broken/allow',
      '-o',
      join(dir, 'broken.tar.gz'),
      join(dir, 'broken.rego'),
    ]).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).not.toBe(0);
    // opa reports compile errors on stdout
    expect(`${failure?.stdout}${failure?.stderr}`).toMatch(/rego_type_error/);
  });
});
