import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenOnLoopback } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin, runBinSync } from './bin.test-helpers.ts';

// `stackproof release` as a subprocess, without a cluster: help, bad input and an unreachable
// cluster each end with a one-line message and exit 2, before anything is changed anywhere. The
// releases themselves run against a sandbox in packages/release (release-sandbox.test.ts).

function stackproof(args: readonly string[], cwd: string) {
  return runBinSync(args, cwd);
}

/** Async, so a server in this process can answer the child meanwhile. */
function stackproofAsync(args: readonly string[], cwd: string) {
  return runBin(args, { cwd });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-release-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const deploy = ['release', 'deploy', '--release', 'stackproof', '--namespace', 'stackproof'];

describe('stackproof release (subprocess)', () => {
  it('--help of the command and of each subcommand exits 0 and lists the flags the workflows use', () => {
    for (const args of [
      ['release', '--help'],
      ['release', 'deploy', '--help'],
      ['release', 'migrate', '--help'],
      ['release', 'prove', '--help'],
    ]) {
      const run = stackproof(args, dir);
      expect(run.status, args.join(' ')).toBe(0);
      for (const flag of [
        '--release',
        '--namespace',
        '--chart',
        '--set-string',
        '--timeout',
        '--out',
        '--scenario',
      ]) {
        expect(run.stdout).toContain(flag);
      }
    }
    expect(stackproof(['--help'], dir).stdout).toContain('release deploy | migrate | prove');
  });

  it.each([
    [
      'no release',
      ['release', 'deploy', '--namespace', 'stackproof'],
      /--release and --namespace are required/,
    ],
    [
      'a release name that is no DNS label',
      ['release', 'deploy', '--release', 'Bad_Name', '--namespace', 'x'],
      /release name 'Bad_Name'/,
    ],
    ['a bad duration', [...deploy, '--timeout', 'forever'], /--timeout must be a duration/],
    [
      'a values file that is not there',
      [...deploy, '--values', 'no-such.yaml'],
      /--values no-such.yaml: no such file/,
    ],
    [
      'a --set-string without =',
      [...deploy, '--set-string', 'backendImageTag'],
      /--set-string expects KEY=VALUE/,
    ],
    [
      'a chart directory without Chart.yaml',
      [...deploy, '--chart', '.'],
      /is not a chart directory/,
    ],
    [
      'a prove flag on deploy',
      [...deploy, '--scenario', 'good-release'],
      /release deploy takes no --scenario/,
    ],
    [
      'an unknown scenario',
      ['release', 'prove', '--scenario', 'good-release,nope'],
      /--scenario: unknown nope/,
    ],
    ['an unknown subcommand', ['release', 'ship'], /unknown release subcommand 'ship'/],
  ])('bad input: %s → exit 2 with a one-line message', (_name, args, message) => {
    const run = stackproof(args, dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('prove without a running sandbox: exit 2, says how to start one', () => {
    const run = stackproof(['release', 'prove', '--sandbox-dir', join(dir, 'no-sandbox')], dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no sandbox is running in .*stackproof sandbox up/);
  });

  it('a kubeconfig that is not there, or a cluster that does not answer: exit 2, nothing deployed', async () => {
    const missing = stackproof([...deploy, '--kubeconfig', join(dir, 'none.yaml')], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the kubeconfig/);

    // A loopback port that accepts and closes every connection: no API server behind it.
    const server = createServer((socket) => socket.destroy());
    const port = await listenOnLoopback(server);
    try {
      const kubeconfig = join(dir, 'kubeconfig.yaml');
      await writeFile(
        kubeconfig,
        `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:${port}', insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
      );
      const run = await stackproofAsync(
        [...deploy, '--kubeconfig', kubeconfig, '--timeout', '30s'],
        dir,
      );
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(
        new RegExp(`cannot reach the cluster at https://127.0.0.1:${port}`),
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 90_000);
});
