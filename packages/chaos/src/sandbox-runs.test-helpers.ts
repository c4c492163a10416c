import { type ChildProcess, spawn } from 'node:child_process';
import {
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pollUntil, repoPath } from '@stackproof/core';
import type { SandboxClient, SandboxState } from '@stackproof/sandbox';
import type { Page } from 'playwright-core';

// Helpers of the chaos package's sandbox tests: the real `stackproof` bin in its own process
// group (so a test can kill -9 it and everything it started, as a power loss would), and reads of
// the target that do not go through the code under test.

export const BIN = repoPath('packages', 'cli', 'src', 'bin.ts');

export interface CliRun {
  readonly child: ChildProcess;
  /** Resolves with how the process ended (bounded by the timeout: then it is killed). */
  readonly done: Promise<{
    status: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
  /** Resolves when a line of stderr matches (progress), rejects if the process ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL to the whole process group: the chaos process and the k6 it started. */
  killGroup(): void;
}

export function stackproof(
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd: string; readonly timeoutMs?: number },
): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    for (const w of [...watchers]) {
      const line = stderr.split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const done = new Promise<{
    status: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    const timer = setTimeout(killGroup, options.timeoutMs ?? 600_000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    killGroup,
    waitFor(pattern, timeoutMs = 300_000) {
      const seen = stderr.split('\n').find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no stderr line matched ${pattern} in ${timeoutMs} ms:\n${stderr}`)),
          timeoutMs,
        );
        watchers.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void done.then(({ status }) =>
          reject(
            new Error(
              `stackproof exited (${status}) before a line matched ${pattern}:\n${stderr}\n${stdout}`,
            ),
          ),
        );
      });
    },
  };
}

/** What the faults could leave, read straight from the target (not through the faults' code). */
export interface TargetState {
  readonly poweredOff: readonly string[];
  /** `acl-… rule N in|out deny`: deny entries below the module's allow rules. */
  readonly denyEntries: readonly string[];
  /** Instance id → state, of the stack's node instances. */
  readonly instances: Readonly<Record<string, string>>;
  readonly database: { readonly primaryZone: string; readonly multiAz: boolean };
}

export function ec2For(state: SandboxState): EC2Client {
  const aws = state.aws;
  if (aws === undefined) throw new Error('the sandbox has no AWS emulator');
  return new EC2Client({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  });
}

export async function targetState(client: SandboxClient): Promise<TargetState> {
  const ec2 = ec2For(client.state);
  try {
    const acls = (await ec2.send(new DescribeNetworkAclsCommand({}))).NetworkAcls ?? [];
    const denyEntries = acls
      .flatMap((a) =>
        (a.Entries ?? [])
          .filter((e) => e.RuleAction === 'deny' && (e.RuleNumber ?? 0) < 100)
          .map((e) => `${a.NetworkAclId} rule ${e.RuleNumber} ${e.Egress ? 'out' : 'in'} deny`),
      )
      .sort();
    const reservations =
      (
        await ec2.send(
          new DescribeInstancesCommand({
            Filters: [{ Name: 'tag:stackproof.io/chaos-target', Values: ['true'] }],
          }),
        )
      ).Reservations ?? [];
    const instances = Object.fromEntries(
      reservations
        .flatMap((r) => r.Instances ?? [])
        .map((i) => [i.InstanceId ?? '', i.State?.Name ?? '']),
    );
    const db = await client.database();
    return {
      poweredOff: (await client.nodes()).filter((n) => n.poweredOff).map((n) => n.name),
      denyEntries,
      instances,
      database: { primaryZone: db.primary.zone, multiAz: db.multiAz },
    };
  } finally {
    ec2.destroy();
  }
}

/** Nothing any fault changed is left: power on, no deny entry, instances running, standby in sync. */
export function isClean(state: TargetState): boolean {
  return (
    state.poweredOff.length === 0 &&
    state.denyEntries.length === 0 &&
    Object.values(state.instances).every((s) => s === 'running') &&
    state.database.multiAz
  );
}

/**
 * Waits until the sandbox is in its steady state again between scenarios: every node Ready,
 * every Deployment of the workloads at its desired ready replicas, the standby in sync.
 */
export async function waitForSteadyState(
  client: SandboxClient,
  timeoutMs = 240_000,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(client.state.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  await pollUntil(
    async () => {
      const nodes = (await core.listNode()).items;
      const notReady = nodes.filter(
        (n) => !n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      const deployments = (
        await apps.listNamespacedDeployment({ namespace: client.state.namespace })
      ).items;
      const short = deployments.filter(
        (d) => (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 0),
      );
      const db = await client.database();
      if (notReady.length > 0 || short.length > 0 || !db.multiAz) {
        throw new Error(
          `not ready: ${notReady.map((n) => n.metadata?.name).join(', ')} ${short.map((d) => d.metadata?.name).join(', ')} standby ${db.standby.state}`,
        );
      }
      return true;
    },
    { what: 'the sandbox back in its steady state', timeoutMs, intervalMs: 1_000 },
  );
}

/**
 * Canvas pixels of each chart that carry the fault window's shade (the renderer's red at 18%
 * alpha; the canvas is transparent, so it reads back unblended): how a reader sees "the fault
 * was here". Counted in the page, per chart.
 */
export async function faultShadePixels(page: Page): Promise<number[]> {
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-chart]')].every((el) => el.hasAttribute('data-drawn')),
  );
  return page.$$eval('[data-chart] canvas', (canvases) =>
    canvases.map((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
      let count = 0;
      for (let i = 0; data !== undefined && i < data.length; i += 4) {
        const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]] as number[];
        if (
          (r as number) > 200 &&
          (g as number) < 60 &&
          (b as number) < 60 &&
          (a as number) > 30 &&
          (a as number) < 60
        )
          count++;
      }
      return count;
    }),
  );
}
