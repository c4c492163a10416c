import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isLoopbackPortFree } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awsEnv,
  awsEnvExports,
  ComponentStartError,
  isPidAlive,
  type MotoServer,
  startMotoServer,
  ToolNotFoundError,
} from './index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-moto-server-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('startMotoServer', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer({ logFile: join(dir, 'moto.log') });
  });
  afterAll(async () => {
    await moto.stop();
  });

  it('serves the AWS API on loopback with the stack region and test credentials', async () => {
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(moto.region).toBe('me-central-1');
    expect(moto.credentials).toEqual({ accessKeyId: 'testing', secretAccessKey: 'testing' });
    const regions = await fetch(`${moto.endpoint}/?Action=DescribeRegions&Version=2016-11-15`, {
      headers: {
        Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/me-central-1/ec2/aws4_request',
      },
    });
    expect(await regions.text()).toContain('me-central-1');
    // Its request log goes where it was told.
    expect(await readFile(join(dir, 'moto.log'), 'utf8')).toContain('DescribeRegions');
  });

  it('exports an environment the AWS SDK picks up without any code-side config', async () => {
    const exportsText = awsEnvExports(moto);
    expect(exportsText).toContain(`export AWS_ENDPOINT_URL='${moto.endpoint}'`);
    expect(exportsText).toContain("export AWS_DEFAULT_REGION='me-central-1'");
    // A child shell evaluates the exports; a child node with only that environment asks EC2 for
    // its zones through the SDK's defaults (AWS_ENDPOINT_URL, AWS_REGION, key pair).
    const probe =
      "import { EC2Client, DescribeAvailabilityZonesCommand } from '@aws-sdk/client-ec2';" +
      'const out = await new EC2Client({}).send(new DescribeAvailabilityZonesCommand({}));' +
      'console.log(out.AvailabilityZones.map((z) => z.ZoneName).sort().join(","));';
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')),
    );
    const r = spawnSync(
      'sh',
      ['-c', `${exportsText}exec "$NODE" --input-type=module -e "$PROBE"`],
      {
        // -e code resolves packages from the working directory: this package's node_modules.
        cwd: dirname(import.meta.dirname),
        env: { ...clean, NODE: process.execPath, PROBE: probe },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('me-central-1a,me-central-1b,me-central-1c');
  });

  it('quotes values so any shell reads them back verbatim', () => {
    const odd = { ...moto, region: "it's; $(rm -rf /)" };
    const r = spawnSync('sh', ['-c', `${awsEnvExports(odd)}printf %s "$AWS_REGION"`], {
      encoding: 'utf8',
    });
    expect(r.stdout).toBe(awsEnv(odd).AWS_REGION);
  });
});

describe('stopping moto', () => {
  it('leaves no process, port or recorder file behind, and a second stop is harmless', async () => {
    const moto = await startMotoServer({ logFile: join(dir, 'moto-stop.log') });
    // The recorder writes its file only once something is recorded.
    await fetch(`${moto.endpoint}/moto-api/recorder/start-recording`, { method: 'POST' });
    await (await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' })).text();
    expect(existsSync(moto.recorderFile)).toBe(true);
    expect(isPidAlive(moto.process.pid)).toBe(true);
    await moto.stop();
    await moto.stop();
    expect(isPidAlive(moto.process.pid)).toBe(false);
    expect(await isLoopbackPortFree(moto.port)).toBe(true);
    expect(existsSync(moto.recorderFile)).toBe(false);
    await expect(
      fetch(`${moto.endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) }),
    ).rejects.toThrow();
  });

  it('without a log file, keeps its files in a temp dir that stop() removes', async () => {
    const moto = await startMotoServer();
    expect(existsSync(moto.logFile)).toBe(true);
    await moto.stop();
    expect(existsSync(dirname(moto.logFile))).toBe(false);
  });

  it('is an environment error saying how to install it when moto_server is missing', async () => {
    const start = startMotoServer({
      env: { ...process.env, PATH: join(dir, 'empty'), MOTO_SERVER_BIN: '' },
    });
    await expect(start).rejects.toBeInstanceOf(ToolNotFoundError);
    await expect(start).rejects.toMatchObject({ kind: 'environment' });
    await expect(start).rejects.toThrow(/moto_server not found: .*make tools/);
  });

  it('names moto and quotes its log when it cannot start', async () => {
    // A stand-in binary that fails like a broken moto install does; PATH is the only thing swapped.
    const fakeBin = join(dir, 'bin');
    await rm(fakeBin, { recursive: true, force: true });
    await mkdir(fakeBin);
    await writeFile(
      join(fakeBin, 'moto_server'),
      "#!/bin/sh\necho 'ModuleNotFoundError: No module named flask_cors' >&2\nexit 1\n",
      { mode: 0o755 },
    );
    const start = startMotoServer({
      logFile: join(dir, 'moto-broken.log'),
      env: { ...process.env, PATH: fakeBin, MOTO_SERVER_BIN: '' },
      readyTimeoutMs: 20_000,
    });
    await expect(start).rejects.toBeInstanceOf(ComponentStartError);
    await expect(start).rejects.toThrow(/moto failed to start: .*exited[\s\S]*flask_cors/);
  });
});
