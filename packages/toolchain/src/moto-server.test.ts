import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsEmulator, startAwsEmulator } from './aws-emulator.ts';
import { awsEnv, awsEnvExports } from './aws-endpoint.ts';
import { isLoopbackPortFree } from './loopback-ports.ts';
import { processesReferencing } from './process-residue.ts';
import { ComponentStartError } from './sandbox-errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-aws-emulator-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('startAwsEmulator', () => {
  let emulator: AwsEmulator;
  beforeAll(async () => {
    emulator = await startAwsEmulator({ logFile: join(dir, 'moto.log') });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('serves moto on loopback with the stack region and test credentials', async () => {
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.region).toBe('me-central-1');
    expect(emulator.credentials).toEqual({ accessKeyId: 'testing', secretAccessKey: 'testing' });
    const response = await fetch(`${emulator.endpoint}/moto-api/`);
    expect(response.ok).toBe(true);
    await response.body?.cancel();
    // Its request log goes where it was told.
    expect(await readFile(join(dir, 'moto.log'), 'utf8')).toContain('GET /moto-api/');
  });

  it('exports an environment the AWS SDK picks up without any code-side config', async () => {
    const exportsText = awsEnvExports(emulator);
    expect(exportsText).toContain(`export AWS_ENDPOINT_URL='${emulator.endpoint}'`);
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
        cwd: join(import.meta.dirname, '..'),
        env: { ...clean, NODE: process.execPath, PROBE: probe },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('me-central-1a,me-central-1b,me-central-1c');
  });

  it('quotes values so any shell reads them back verbatim', () => {
    const odd = { ...emulator, region: "it's; $(rm -rf /)" };
    const r = spawnSync('sh', ['-c', `${awsEnvExports(odd)}printf %s "$AWS_REGION"`], {
      encoding: 'utf8',
    });
    expect(r.stdout).toBe(awsEnv(odd).AWS_REGION);
  });
});

describe('stopping the emulator', () => {
  it('leaves no process, port or recorder file behind, and a second stop is harmless', async () => {
    const emulator = await startAwsEmulator({ logFile: join(dir, 'moto-stop.log') });
    // The recorder writes its file only once something is recorded.
    await fetch(`${emulator.endpoint}/moto-api/recorder/start-recording`, { method: 'POST' });
    await (await fetch(`${emulator.endpoint}/moto-api/reset`, { method: 'POST' })).text();
    expect(existsSync(emulator.recorderFile)).toBe(true);
    await emulator.stop();
    await emulator.stop();
    expect(existsSync(`/proc/${emulator.process.pid}`)).toBe(false);
    expect(await processesReferencing(`-p ${emulator.port}`)).toEqual([]);
    expect(await isLoopbackPortFree(emulator.port)).toBe(true);
    expect(existsSync(emulator.recorderFile)).toBe(false);
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
    const start = startAwsEmulator({
      logFile: join(dir, 'moto-broken.log'),
      env: { ...process.env, PATH: fakeBin, MOTO_SERVER_BIN: '' },
      readyTimeoutMs: 20_000,
    });
    await expect(start).rejects.toBeInstanceOf(ComponentStartError);
    await expect(start).rejects.toThrow(/moto failed to start: .*exited[\s\S]*flask_cors/);
  });
});
