// CPU an idle sandbox spends, for docs/benchmarks.md: starts the sandbox (the daemon, as `stackproof
// sandbox up` does), lets it settle, then reads the CPU time (utime + stime, /proc/<pid>/stat) of
// every process of the sandbox at the start and the end of a window in which nobody sends it a
// request, and prints the CPU seconds per component and in total. Measured, not asserted.
//   node packages/sandbox/bench/idle-cpu.bench.ts [--window 60] [--settle 20]
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs, promisify } from 'node:util';
import { sandboxDown, sandboxUp } from '../src/index.ts';

const { values } = parseArgs({
  options: { window: { type: 'string' }, settle: { type: 'string' } },
});
const windowS = Number(values.window ?? 60);
const settleS = Number(values.settle ?? 20);

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  /** Own utime + stime, in clock ticks (children are counted as processes of their own). */
  readonly ticks: number;
  readonly cmdline: string;
  readonly environ: string;
}

async function readProc(pid: number): Promise<Proc | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    return {
      pid,
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      cmdline,
      environ,
    };
  } catch {
    return undefined;
  }
}

/** The daemon, its descendants, and whatever names the sandbox dir (PostgreSQL daemonizes). */
async function sandboxProcesses(daemonPid: number, dir: string): Promise<Map<number, Proc>> {
  const all = (
    await Promise.all(
      (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map((e) => readProc(Number(e))),
    )
  ).filter((p): p is Proc => p !== undefined && p.pid !== process.pid);
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found = new Map<number, Proc>();
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      found.set(child.pid, child);
      walk(child.pid);
    }
  };
  const daemon = all.find((p) => p.pid === daemonPid);
  if (daemon !== undefined) found.set(daemon.pid, daemon);
  walk(daemonPid);
  for (const p of all) {
    if (p.cmdline.includes(`${dir}/`) || p.environ.includes(`STACKPROOF_SANDBOX_DIR=${dir}`)) {
      found.set(p.pid, p);
      walk(p.pid);
    }
  }
  return found;
}

function component(p: Proc, daemonPid: number): string {
  if (p.pid === daemonPid) return 'daemon (data plane, router, sampler)';
  const bin = (p.cmdline.split(' ')[0] ?? '').split('/').at(-1) ?? '';
  if (p.cmdline.includes('src/main.ts')) return 'service instances';
  if (bin.startsWith('postgres') || p.cmdline.startsWith('postgres')) return 'postgresql';
  if (bin.includes('moto') || p.cmdline.includes('moto_server')) return 'moto';
  return bin;
}

const ticksPerSecond = Number(
  (await promisify(execFile)('getconf', ['CLK_TCK'])).stdout.trim() || 100,
);
const dir = await mkdtemp(join(tmpdir(), 'stackproof-idle-cpu-'));
await chmod(dir, 0o755);
try {
  const { state } = await sandboxUp({ dir });
  await delay(settleS * 1000);
  const before = await sandboxProcesses(state.pid, dir);
  const t0 = performance.now();
  await delay(windowS * 1000);
  const after = await sandboxProcesses(state.pid, dir);
  const elapsedS = (performance.now() - t0) / 1000;
  const byComponent = new Map<string, number>();
  for (const [pid, p] of after) {
    const spent = p.ticks - (before.get(pid)?.ticks ?? 0);
    const name = component(p, state.pid);
    byComponent.set(name, (byComponent.get(name) ?? 0) + spent / ticksPerSecond);
  }
  const rows = [...byComponent].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, s]) => sum + s, 0);
  console.log(`idle sandbox, ${elapsedS.toFixed(0)} s window after ${settleS} s settling:`);
  for (const [name, s] of rows) {
    console.log(
      `  ${name.padEnd(40)} ${s.toFixed(2).padStart(7)} s  (${((100 * s) / elapsedS).toFixed(1)}% of a core)`,
    );
  }
  console.log(
    `  ${'total'.padEnd(40)} ${total.toFixed(2).padStart(7)} s  (${((100 * total) / elapsedS).toFixed(1)}% of a core; nproc 2, ${new Date().toISOString()})`,
  );
} finally {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
