import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, REPO_ROOT as repositoryRoot } from '@stackproof/core';
import { afterEach, describe, expect, it } from 'vitest';
import { findUnpinnedActions } from './action-pins.ts';
import { runActionlint } from './actionlint.ts';

const workflowsDir = repoPath('.github', 'workflows');

const workflowFiles = (await readdir(workflowsDir))
  .filter((file) => file.endsWith('.yml') || file.endsWith('.yaml'))
  .sort();

const tempDirs: string[] = [];
afterEach(async () => {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('.github/workflows', () => {
  it('holds the pull-request, deploy, infrastructure, nightly and terraform-lock workflows', () => {
    expect(workflowFiles).toEqual(
      expect.arrayContaining([
        'pull-request.yml',
        'deploy.yml',
        'infrastructure.yml',
        'nightly.yml',
        'terraform-lock.yml',
        'terraform-stack.yml',
        'terraform-workspace.yml',
      ]),
    );
  });

  it('passes actionlint', async () => {
    const result = await runActionlint(
      workflowFiles.map((file) => join('.github', 'workflows', file)),
      repositoryRoot,
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('negative twin: actionlint fails a broken workflow', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stackproof-actionlint-'));
    tempDirs.push(dir);
    const broken = join(dir, 'broken.yml');
    await writeFile(
      broken,
      [
        'on: push',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-24.04',
        '    steps:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
        '      - run: echo "${{ steps.missing.outputs.value }}"',
        '      - uses: actions/checkout@v4',
        '        with:',
        '          persist-credentials: false',
        '    timeout-minute: 5',
        '',
      ].join('\n'),
    );
    const result = await runActionlint([broken], dir);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/property "missing" is not defined/);
    expect(result.stdout).toMatch(/unexpected key "timeout-minute"/);
  });

  it.each(workflowFiles)('%s pins every action to a full commit sha', async (file) => {
    const text = await readFile(join(workflowsDir, file), 'utf8');
    expect(findUnpinnedActions(text)).toEqual([]);
  });

  it('negative twin: a tag-pinned action is reported', () => {
    const text = [
      'steps:',
      '  - uses: actions/checkout@v4',
      '  - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0',
      '  - uses: ./.github/workflows/helm-deploy.yml',
    ].join('\n');
    expect(findUnpinnedActions(text)).toEqual([{ line: 2, uses: 'actions/checkout@v4' }]);
  });
});
