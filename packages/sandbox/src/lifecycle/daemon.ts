// The process that holds a running sandbox: `stackproof sandbox up` starts it detached, it starts
// every component as its child, publishes sandbox.json, serves the control API, and on SIGTERM
// (`stackproof sandbox down`) stops everything and exits. Progress and the outcome go to
// progress.jsonl, which `up` follows.
//   node packages/sandbox/src/lifecycle/daemon.ts --dir .sandbox
import { appendFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  removeTerraformOutputs,
  sandboxOutputsDir,
  writeTerraformOutputs,
} from '../aws/outputs.ts';
import { startControlServer } from './control-server.ts';
import { SANDBOX_RELEASE, type Sandbox, startSandbox } from './sandbox.ts';
import { PROGRESS_FILE, removeSandboxState, writeSandboxState } from './state.ts';

export type ProgressLine =
  | {
      readonly type: 'step';
      readonly step: string;
      readonly state: 'start' | 'done';
      readonly elapsedMs: number;
    }
  | { readonly type: 'ready'; readonly elapsedMs: number }
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'stopped' };

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const dir = resolve(argValue('--dir') ?? '.sandbox');
  const progress = (line: ProgressLine): void => {
    appendFileSync(join(dir, PROGRESS_FILE), `${JSON.stringify(line)}\n`);
  };
  let sandbox: Sandbox | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (code: number): Promise<void> => {
    stopping ??= (async () => {
      try {
        await control?.close();
        await sandbox?.stop();
        await removeSandboxState(dir);
        progress({ type: 'stopped' });
      } catch (error) {
        console.error('sandbox: stop failed:', error);
        code = 1;
      }
      process.exit(code);
    })();
    return stopping;
  };
  let control: Awaited<ReturnType<typeof startControlServer>> | undefined;
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));

  const t0 = performance.now();
  try {
    sandbox = await startSandbox({
      dir,
      onProgress: (p) => {
        progress({ type: 'step', ...p });
        console.log(`[sandbox] ${p.step}: ${p.state} (${(p.elapsedMs / 1000).toFixed(1)} s)`);
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`[sandbox] start failed: ${message}`);
    progress({ type: 'failed', error: message });
    process.exit(1);
  }
  control = await startControlServer(sandbox);
  const cp = sandbox.controlPlane;
  const ports = [
    ...cp.components.flatMap((c) => c.ports),
    Number(new URL(sandbox.kwok.url).port),
    ...sandbox.database.ports,
    ...sandbox.router.routes().map((r) => Number(r.loopbackAddress.split(':')[1])),
    sandbox.aws.port,
    control.port,
  ];
  // The outputs contract: one `terraform output -json` document per workspace, where
  // `pnpm test:infra` reads them (STACKPROOF_OUTPUTS_DIR from `sandbox env`). Written before
  // sandbox.json, so a published sandbox always has its outputs (replayed or seeded).
  const outputsDir = sandboxOutputsDir(dir);
  await removeTerraformOutputs(outputsDir);
  await mkdir(outputsDir, { recursive: true });
  for (const [workspace, outputs] of Object.entries(sandbox.awsOutputs)) {
    await writeTerraformOutputs(outputsDir, workspace, outputs);
  }
  await writeSandboxState(dir, {
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    upSeconds: Math.round((performance.now() - t0) / 100) / 10,
    kubeconfig: cp.kubeconfigPath,
    apiServer: cp.server,
    namespace: sandbox.namespace,
    services: {
      backend: sandbox.serviceUrl('backend'),
      frontend: sandbox.serviceUrl('frontend'),
    },
    aws: {
      endpoint: sandbox.aws.endpoint,
      region: sandbox.aws.region,
      accessKeyId: sandbox.aws.credentials.accessKeyId,
      secretAccessKey: sandbox.aws.credentials.secretAccessKey,
      account: sandbox.awsAccount.kind,
      workspaces: sandbox.awsAccount.workspaces,
      ...(sandbox.awsAccount.seedRecord !== undefined
        ? { seedRecord: sandbox.awsAccount.seedRecord }
        : {}),
      notHeld: sandbox.awsAccount.notHeld,
    },
    outputsDir,
    controlUrl: control.url,
    controlToken: control.token,
    database: {
      host: sandbox.database.endpoint.host,
      port: sandbox.database.endpoint.port,
      name: SANDBOX_RELEASE,
      user: sandbox.database.user,
      password: sandbox.database.password,
      rootDir: sandbox.database.rootDir,
    },
    ports,
  });
  progress({ type: 'ready', elapsedMs: performance.now() - t0 });
  console.log(`[sandbox] ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

await main();
