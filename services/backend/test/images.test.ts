// Builds the backend and frontend images and runs them through testcontainers against the test
// PostgreSQL. Host networking keeps every port on loopback (the test cluster listens on 127.0.0.1
// only). Skipped, with the reason logged, when no container engine answers; an engine without the
// local base images is a FAILURE (run tools/containers/setup.sh), never a skip.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pollUntil, REPO_ROOT, reserveLoopbackPort } from '@stackproof/core';
import {
  GenericContainer,
  getContainerRuntimeClient,
  ImageName,
  type StartedTestContainer,
  Wait,
} from 'testcontainers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from './harness.ts';

const exec = promisify(execFile);
const BASE_IMAGE = process.env.STACKPROOF_NODE_BASE_IMAGE ?? 'localhost/stackproof/node-base:24';
const RUNTIME_IMAGE =
  process.env.STACKPROOF_NODE_RUNTIME_IMAGE ?? 'localhost/stackproof/node-runtime:24';

/** Asks the engine at DOCKER_HOST (default /var/run/docker.sock) for /_ping, bounded to 3 s. */
async function engineAnswers(): Promise<string | undefined> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (!host.startsWith('unix://')) return undefined; // tcp engines: let testcontainers decide
  const socketPath = host.slice('unix://'.length);
  const ok = await new Promise<boolean>((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
  return ok
    ? undefined
    : `no container engine answers at ${host} (start one with: sudo tools/containers/setup.sh)`;
}

const skipReason = await engineAnswers();
if (skipReason) console.warn(`[backend images] SKIPPED: ${skipReason}`);

/** `pnpm deploy --prod` of the package: the build context. `cleanup` gets the temp dir first. */
async function deploy(service: 'backend' | 'frontend', cleanup: string[]): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), `stackproof-ctx-${service}-`));
  cleanup.push(parent);
  const dir = join(parent, 'ctx');
  await exec('pnpm', ['--filter', `@stackproof/${service}`, 'deploy', '--prod', dir], {
    cwd: REPO_ROOT,
    timeout: 120_000,
  });
  return dir;
}

async function build(service: 'backend' | 'frontend', context: string): Promise<string> {
  const tag = `localhost/stackproof/${service}:test`;
  await GenericContainer.fromDockerfile(context)
    .withBuildArgs({ BASE_IMAGE, RUNTIME_IMAGE })
    .build(tag, { deleteOnExit: false });
  return tag;
}

describe.skipIf(skipReason !== undefined)('container images (testcontainers)', () => {
  const contexts: string[] = [];
  const containers: StartedTestContainer[] = [];
  let backendImage: string;
  let frontendImage: string;
  let pgEnv: Record<string, string>;

  beforeAll(async () => {
    const client = await getContainerRuntimeClient();
    for (const image of [BASE_IMAGE, RUNTIME_IMAGE]) {
      if (!(await client.image.exists(ImageName.fromString(image)))) {
        throw new Error(
          `base image ${image} is missing: build it with sudo tools/containers/build-base-image.sh`,
        );
      }
    }
    const [backendCtx, frontendCtx] = await Promise.all([
      deploy('backend', contexts),
      deploy('frontend', contexts),
    ]);
    backendImage = await build('backend', backendCtx);
    frontendImage = await build('frontend', frontendCtx);
    const info = inject('pg');
    const database = await createDatabase(info, 'images');
    pgEnv = {
      PGHOST: info.host,
      PGPORT: String(info.port),
      PGUSER: info.user,
      PGPASSWORD: info.password,
      PGDATABASE: database,
    };
  }, 600_000);

  afterAll(async () => {
    await Promise.all(containers.map((c) => c.stop({ timeout: 10_000 }).catch(() => undefined)));
    await Promise.all(contexts.map((d) => rm(d, { recursive: true, force: true })));
  });

  const run = async (
    image: string,
    env: Record<string, string>,
    command?: string[],
  ): Promise<StartedTestContainer> => {
    let c = new GenericContainer(image).withNetworkMode('host').withEnvironment(env);
    c = command
      ? c.withCommand(command).withWaitStrategy(Wait.forOneShotStartup())
      : c.withWaitStrategy(Wait.forLogMessage(/"msg":"listening"/)).withStartupTimeout(30_000);
    const started = await c.start();
    containers.push(started);
    return started;
  };

  it('migrates, serves /healthz and /readyz, and serves the page and /api through the frontend', async () => {
    await run(backendImage, pgEnv, ['src/migrate.ts', 'up']);
    const backendPort = await reserveLoopbackPort();
    await run(backendImage, {
      ...pgEnv,
      PORT: String(backendPort),
      HOST: '127.0.0.1',
    });
    const backendUrl = `http://127.0.0.1:${backendPort}`;
    expect((await fetch(`${backendUrl}/healthz`)).status).toBe(200);
    await pollUntil(
      async () => ((await fetch(`${backendUrl}/readyz`)).status === 200 ? true : undefined),
      { what: 'backend readiness', timeoutMs: 10_000, intervalMs: 200 },
    );

    // Non-root: a one-shot container of the same image exits 0 only as uid/gid 10001 (the
    // one-shot wait fails on any other exit code). Not `exec`: podman keeps exec sessions around.
    await run(backendImage, {}, [
      '-e',
      'process.exit(process.getuid() === 10001 && process.getgid() === 10001 ? 0 : 3)',
    ]);

    const frontendPort = await reserveLoopbackPort();
    await run(frontendImage, {
      PORT: String(frontendPort),
      HOST: '127.0.0.1',
      BACKEND_URL: backendUrl,
    });
    const frontendUrl = `http://127.0.0.1:${frontendPort}`;
    expect((await fetch(`${frontendUrl}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${frontendUrl}/`)).text()).toContain(
      '<title>stackproof reference app</title>',
    );
    const created = await fetch(`${frontendUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"from the frontend container","quantity":2}',
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      name: 'from the frontend container',
      quantity: 2,
    });
  });

  it('negative twin: a backend container without a reachable database is alive but not ready', async () => {
    const port = await reserveLoopbackPort();
    await run(backendImage, {
      ...pgEnv,
      PGPORT: String(await reserveLoopbackPort()),
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
  });
});

// Keeps the skip visible in the report as a skipped test whose name carries the reason.
if (skipReason) it.skip(`container images: ${skipReason}`, () => undefined);
