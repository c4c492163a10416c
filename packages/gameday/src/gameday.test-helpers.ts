import { type ChildProcess, spawn } from 'node:child_process';
import { DescribeNetworkAclsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pollUntil, repoPath } from '@stackproof/core';
import type { SandboxClient } from '@stackproof/sandbox';

// Helpers of the game day's sandbox tests: the real `stackproof` bin in its own process group,
// and reads of the target that do not go through the code under test (what a fault could leave).
// The chaos package's tests have their own; test helpers are not a package's public surface.

export const BIN = repoPath('packages', 'cli', 'src', 'bin.ts');

export interface CliRun {
  readonly child: ChildProcess;
  readonly done: Promise<{ status: number | null; stdout: string; stderr: string }>;
  /** Resolves with the first stderr line matching `pattern`; rejects when the run ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function stackproof(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs ?? 1_200_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
  let ended = false;
  void done.then(() => {
    ended = true;
  });
  return {
    child,
    done,
    waitFor: (pattern, timeoutMs = 600_000) =>
      pollUntil(
        async () => {
          const line = stderr.split('\n').find((l) => pattern.test(l));
          return line;
        },
        {
          what: `a stderr line matching ${pattern}`,
          timeoutMs,
          intervalMs: 200,
          abortIf: () =>
            ended
              ? new Error(`stackproof ended before a line matched ${pattern}:\n${stderr}`)
              : undefined,
        },
      ),
  };
}

/** What an outage could leave behind, read straight from the sandbox and its AWS emulator. */
export interface TargetState {
  readonly poweredOff: readonly string[];
  readonly denyEntries: readonly string[];
  readonly databaseFailovers: number;
  readonly multiAz: boolean;
}

export async function targetState(client: SandboxClient): Promise<TargetState> {
  const aws = client.state.aws;
  if (aws === undefined) throw new Error('the sandbox has no AWS emulator');
  const ec2 = new EC2Client({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  });
  try {
    const acls = (await ec2.send(new DescribeNetworkAclsCommand({}))).NetworkAcls ?? [];
    const denyEntries = acls.flatMap((a) =>
      (a.Entries ?? [])
        .filter((e) => e.RuleAction === 'deny' && (e.RuleNumber ?? 0) < 100)
        .map((e) => `${a.NetworkAclId} rule ${e.RuleNumber}`),
    );
    const nodes = await client.nodes();
    const db = await client.database();
    return {
      poweredOff: nodes.filter((n) => n.poweredOff).map((n) => n.name),
      denyEntries,
      databaseFailovers: db.failovers,
      multiAz: db.multiAz,
    };
  } finally {
    ec2.destroy();
  }
}

/** Every node Ready, every Deployment at its replicas, the standby in sync: between scenarios. */
export async function waitForSteadyState(
  client: SandboxClient,
  timeoutMs = 300_000,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(client.state.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const hpa = kc.makeApiClient(AutoscalingV2Api);
  await pollUntil(
    async () => {
      const nodes = (await core.listNode()).items;
      const notReady = nodes.filter(
        (n) => !n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      const short = (
        await apps.listNamespacedDeployment({ namespace: client.state.namespace })
      ).items.filter((d) => (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 0));
      const db = await client.database();
      // New pods have no metrics until the next scrape: the preflight's live checks judge HPAs.
      const inactive = (
        await hpa.listNamespacedHorizontalPodAutoscaler({ namespace: client.state.namespace })
      ).items.filter(
        (h) => h.status?.conditions?.find((c) => c.type === 'ScalingActive')?.status !== 'True',
      );
      return notReady.length === 0 && short.length === 0 && inactive.length === 0 && db.multiAz
        ? true
        : undefined;
    },
    { what: 'the sandbox back in its steady state', timeoutMs, intervalMs: 2_000 },
  );
}
