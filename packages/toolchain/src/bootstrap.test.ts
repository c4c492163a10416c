import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, repoPath } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToolchainManifest, resolveTool } from './index.ts';

const run = promisify(execFile);
const root = REPO_ROOT;
const bootstrap = repoPath('tools', 'bootstrap.sh');

/** Pinned version and binaries of each Go-built tool, read from its tool.conf the way bash does. */
async function toolConf(tool: string): Promise<{ version: string; bins: string[]; tier: string }> {
  const { stdout } = await run('bash', [
    '-c',
    `. "${join(root, 'tools/go', tool, 'tool.conf')}"; echo "$TOOL_VERSION"; echo "$TOOL_BINS"; echo "\${TOOL_TIER:-core}"`,
  ]);
  const [version = '', bins = '', tier = ''] = stdout.trim().split('\n');
  return { version, bins: bins.split(' ').filter(Boolean), tier };
}

describe('toolchain installed by tools/bootstrap.sh', () => {
  it('records every core tool at its pinned version, each path executable', async () => {
    const manifest = await readToolchainManifest();
    const byName = new Map(manifest.map((e) => [e.name, e]));
    const tools = await readdir(join(root, 'tools/go'));
    let checked = 0;
    for (const tool of tools) {
      const conf = await toolConf(tool);
      if (conf.tier !== 'core') continue;
      for (const bin of conf.bins) {
        const entry = byName.get(bin);
        expect(entry, `${bin} (tools/go/${tool}) missing from toolchain.json`).toBeDefined();
        expect(entry?.version).toBe(conf.version);
        expect(resolveTool(bin).path).toBeTruthy();
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    const node = byName.get('node');
    expect(Number(node?.version.replace(/^v/, '').split('.')[0])).toBeGreaterThanOrEqual(22);
  });
});

describe('tools/bootstrap.sh resolution', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'stackproof-bootstrap-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>) => ({
    ...process.env,
    STACKPROOF_CACHE: join(scratch, 'cache'),
    ACTIONLINT_BIN: '',
    ...extra,
  });

  it('takes a binary at the pinned version from PATH instead of building it', async () => {
    const pinned = resolveTool('actionlint').path;
    const { stderr } = await run(
      bootstrap,
      ['--only', 'actionlint', '--no-system', '--no-node-deps'],
      { env: env({ PATH: `${dirname(pinned)}:${process.env.PATH ?? ''}` }) },
    );
    expect(stderr).not.toMatch(/build actionlint/);
    const manifest = await readFile(join(scratch, 'cache/toolchain.tsv'), 'utf8');
    expect(manifest).toMatch(/^actionlint\t1\.7\.12\tpath\t/m);
  });

  it('refuses a binary named by the env var when its version is not the pinned one', async () => {
    const impostor = join(scratch, 'actionlint');
    await writeFile(impostor, '#!/bin/sh\necho v0.0.1\n');
    await chmod(impostor, 0o755);
    const failure = await run(
      bootstrap,
      ['--only', 'actionlint', '--no-system', '--no-node-deps'],
      { env: env({ ACTIONLINT_BIN: impostor }) },
    ).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/ACTIONLINT_BIN=.* is not actionlint 1\.7\.12/);
  });

  it('rejects an unknown option with exit 2', async () => {
    const failure = await run(bootstrap, ['--frobnicate']).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});
