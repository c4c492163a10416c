import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pollUntil } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesReferencing } from '../lifecycle/residue.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import {
  type CpuSample,
  clockTicksPerSecond,
  parseProcStat,
  startCpuSampler,
  USAGE_CPU_ANNOTATION,
  USAGE_MEMORY_ANNOTATION,
} from './cpu-sampler.ts';

// The sampler against real processes and a real apiserver: a busy loop, an idle process, and
// an idle parent whose child does the work. Pods are only API objects here (nothing schedules
// them); the sampler writes their annotations all the same.

const MARKER = `stackproof-cpu-sampler-test-${process.pid}`;
const BUSY = `const end = Date.now() + 60000; while (Date.now() < end) {} // ${MARKER}`;
const IDLE = `setTimeout(() => {}, 60000); // ${MARKER}`;
const PARENT_OF_BUSY = `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(BUSY)}], { stdio: 'ignore' }); setTimeout(() => {}, 60000); // ${MARKER}`;

// Each child leads its own process group, so killing the group also ends a grandchild.
function startNode(script: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore', detached: true });
  if (child.pid === undefined) throw new Error('could not start a node child process');
  return child;
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('child has no pid');
  return child.pid;
}

describe('parseProcStat', () => {
  it('counts fields from the last parenthesis, whatever the command name holds', () => {
    // Fields 3..22 of proc(5); comm "(a) (b c)" contains spaces and parentheses.
    const rest = 'S 41 42 42 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 987654 1000 200';
    const stat = parseProcStat(`4242 ((a) (b c)) ${rest}`);
    expect(stat).toEqual({ ppid: 41, ticks: 250 + 50 + 7 + 3, startTime: 987654 });
  });

  it('rejects text that is not a stat line', () => {
    expect(parseProcStat('no parenthesis here')).toBeUndefined();
    expect(parseProcStat('1 (x) S')).toBeUndefined();
  });

  it('reads this process', async () => {
    expect(await clockTicksPerSecond()).toBeGreaterThan(0);
  });
});

describe('CPU sampler against real processes and the sandbox apiserver', () => {
  let scratch: string;
  let cp: ControlPlane;
  let core: CoreV1Api;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'stackproof-cpu-sampler-'));
    cp = await startControlPlane({ workDir: join(scratch, 'cp') });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    // No controller manager runs, so the ServiceAccount admission plugin needs this by hand.
    await core.createNamespacedServiceAccount({
      namespace: 'default',
      body: { metadata: { name: 'default' } },
    });
    for (const name of ['busy', 'idle', 'tree', 'gone', 'unlisted']) {
      await core.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name },
          spec: {
            automountServiceAccountToken: false,
            containers: [{ name: 'app', image: 'registry.invalid/stackproof/app:1.0.0' }],
          },
        },
      });
    }
  }, 300_000);

  afterAll(async () => {
    for (const child of children) killGroup(child);
    await cp?.stop();
    if (cp !== undefined) expect(await processesReferencing(cp.workDir)).toEqual([]);
    await pollUntil(
      async () => ((await processesReferencing(MARKER)).length === 0 ? true : undefined),
      { what: 'the test processes to exit', timeoutMs: 10_000 },
    );
    await rm(scratch, { recursive: true, force: true });
  }, 60_000);

  it('writes the measured CPU and memory of each pod, and 0 once its process is gone', async () => {
    const busy = startNode(BUSY);
    const idle = startNode(IDLE);
    const tree = startNode(PARENT_OF_BUSY);
    const gone = startNode(IDLE);
    const unlisted = startNode(IDLE);
    children.push(busy, idle, tree, gone, unlisted);
    const pods = new Map<string, number>([
      ['default/busy', pidOf(busy)],
      ['default/idle', pidOf(idle)],
      ['default/tree', pidOf(tree)],
      ['default/gone', pidOf(gone)],
      ['default/unlisted', pidOf(unlisted)],
    ]);
    const samples: CpuSample[] = [];
    await using sampler = await startCpuSampler(cp, {
      pods: () => pods,
      intervalMs: 1_000,
      onSample: (s) => samples.push(s),
    });
    // Two samples: a baseline, then a reading over a full interval.
    await pollUntil(async () => (samples.length >= 3 ? true : undefined), {
      what: 'three samples',
      timeoutMs: 20_000,
    });
    const usage = sampler.latest();
    const busyCpu = usage.get('default/busy')?.milliCpu ?? 0;
    const idleCpu = usage.get('default/idle')?.milliCpu ?? -1;
    const treeUsage = usage.get('default/tree');
    console.log(
      `sampled: busy ${busyCpu}m, idle ${idleCpu}m, tree ${treeUsage?.milliCpu}m over pids ${treeUsage?.pids.join(',')}`,
    );
    // A busy loop keeps one core near 1000m; on a loaded 2-core machine it still gets a share
    // far above what an idle process shows.
    expect(busyCpu).toBeGreaterThan(100);
    expect(idleCpu).toBeGreaterThanOrEqual(1);
    expect(idleCpu).toBeLessThan(50);
    // The busy work happens in the idle parent's child: counted through the process tree.
    expect(treeUsage?.pids.length).toBe(2);
    expect(treeUsage?.milliCpu).toBeGreaterThan(100);
    expect(usage.get('default/busy')?.memoryBytes).toBeGreaterThan(1024 * 1024);

    const annotations = async (name: string) =>
      (await core.readNamespacedPod({ namespace: 'default', name })).metadata?.annotations ?? {};
    const busyAnnotations = await annotations('busy');
    expect(busyAnnotations[USAGE_CPU_ANNOTATION]).toMatch(/^\d+m$/);
    expect(Number.parseInt(busyAnnotations[USAGE_CPU_ANNOTATION] ?? '0', 10)).toBeGreaterThan(100);
    expect(busyAnnotations[USAGE_MEMORY_ANNOTATION]).toMatch(/^\d+Ki$/);

    // The process behind 'gone' exits; 'unlisted' drops out of the map.
    killGroup(gone);
    await new Promise((resolve) => gone.once('exit', resolve));
    pods.delete('default/unlisted');
    await sampler.sampleNow();
    expect(sampler.latest().get('default/gone')).toMatchObject({ alive: false, milliCpu: 0 });
    expect(await annotations('gone')).toMatchObject({
      [USAGE_CPU_ANNOTATION]: '0',
      [USAGE_MEMORY_ANNOTATION]: '0',
    });
    expect(await annotations('unlisted')).toMatchObject({ [USAGE_CPU_ANNOTATION]: '0' });
    expect(sampler.latest().has('default/unlisted')).toBe(false);
    expect(sampler.errorCount()).toBe(0);
  }, 60_000);

  it('without includeDescendants, sees only the idle parent', async () => {
    const tree = startNode(PARENT_OF_BUSY);
    children.push(tree);
    await using sampler = await startCpuSampler(cp, {
      pods: () => new Map([['default/tree', pidOf(tree)]]),
      intervalMs: 60_000,
      includeDescendants: false,
    });
    await sampler.sampleNow(); // baseline (the scheduled first sample may be it too)
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await sampler.sampleNow();
    const reading = sampler.latest().get('default/tree');
    expect(reading?.pids).toEqual([pidOf(tree)]);
    expect(reading?.milliCpu).toBeLessThan(50);
  }, 30_000);

  it('stops without writing again and refuses samples after stop', async () => {
    const idle = startNode(IDLE);
    children.push(idle);
    let calls = 0;
    const sampler = await startCpuSampler(cp, {
      pods: () => {
        calls++;
        return new Map([['default/idle', pidOf(idle)]]);
      },
      intervalMs: 200,
    });
    await pollUntil(async () => (calls >= 2 ? true : undefined), {
      what: 'two samples',
      timeoutMs: 10_000,
    });
    await sampler.stop();
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(calls).toBe(after);
    await expect(sampler.sampleNow()).rejects.toThrow(/stopped/);
    for (const child of children) killGroup(child);
    await pollUntil(
      async () => (children.every((c) => !existsSync(`/proc/${c.pid}`)) ? true : undefined),
      { what: 'the children to exit', timeoutMs: 10_000 },
    );
  }, 30_000);
});
