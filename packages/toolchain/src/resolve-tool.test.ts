import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTool, ToolNotFoundError, toolEnvVar } from './index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-resolve-'));
  await writeFile(join(dir, 'fake-tool'), '#!/bin/sh\necho 1.0\n');
  await chmod(join(dir, 'fake-tool'), 0o755);
  await writeFile(join(dir, 'not-executable'), 'data');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveTool', () => {
  it('derives the env var name the bootstrap exports', () => {
    expect(toolEnvVar('kube-apiserver')).toBe('KUBE_APISERVER_BIN');
    expect(toolEnvVar('opa')).toBe('OPA_BIN');
  });

  it('prefers the env var over PATH', () => {
    const found = resolveTool('fake-tool', {
      FAKE_TOOL_BIN: join(dir, 'fake-tool'),
      PATH: '/nonexistent',
    });
    expect(found).toEqual({ name: 'fake-tool', path: join(dir, 'fake-tool'), via: 'env' });
  });

  it('searches PATH when the env var is unset', () => {
    const found = resolveTool('fake-tool', { PATH: `/nonexistent:${dir}` });
    expect(found.via).toBe('path');
    expect(found.path).toBe(join(dir, 'fake-tool'));
  });

  it('refuses an env var that points at a non-executable file', () => {
    expect(() =>
      resolveTool('not-executable', { NOT_EXECUTABLE_BIN: join(dir, 'not-executable') }),
    ).toThrow(ToolNotFoundError);
  });

  it('says how to fix a missing tool', () => {
    expect(() => resolveTool('no-such-tool-here', { PATH: dir })).toThrow(/make tools/);
  });
});
