import { readdir, readFile } from 'node:fs/promises';
import {
  type ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { runTool } from '@stackproof/toolchain';

// Why annotation-fed usage is faithful: in the sandbox every Running pod is backed by a real
// instance (a process tree on this machine). The sampler measures that tree's CPU time from
// /proc, exactly the quantity a kubelet reads from the container's cgroup (cpuacct usage = user +
// system time of every task in it), turns it into millicores over the sample interval and writes
// it to the pod. KWOK integrates that rate into the pod's cumulative CPU counter and serves it as
// the kubelet's /metrics/resource does; metrics-server derives the rate back from two scrapes.
// So the CPU the metrics API and the HPA see for a pod is the CPU its real instance spent
// serving the load, delayed by at most one sample interval plus one metrics-server scrape; only
// the transport (an annotation instead of cAdvisor) is simulated.

/** Pod annotations KWOK's ClusterResourceUsage (kwok/metrics/) reads the usage from. */
export const USAGE_CPU_ANNOTATION = 'kwok.x-k8s.io/usage-cpu';
export const USAGE_MEMORY_ANNOTATION = 'kwok.x-k8s.io/usage-memory';

/** `namespace/name` of a pod → the pid (or pids) of the real process(es) backing it. */
export type PodProcessMap = ReadonlyMap<string, number | readonly number[]>;

export interface CpuSamplerOptions {
  /**
   * The pods to sample, called once per sample. A pod missing from the map is no longer
   * sampled; if it was sampled before, its usage is set to 0 once (its instance has stopped).
   */
  readonly pods: () => PodProcessMap | Promise<PodProcessMap>;
  /** Time between samples; also the window each CPU figure is averaged over. Default 2000. */
  readonly intervalMs?: number;
  /**
   * Also count every descendant of the given pids, as a container's cgroup would (a worker
   * forked by the instance, a shell's child). Default true.
   */
  readonly includeDescendants?: boolean;
  /** Pod patches in flight at once. Default 8. */
  readonly maxConcurrentPatches?: number;
  /** Upper bound for one patch; a slower one counts as an error and the sample moves on. */
  readonly patchTimeoutMs?: number;
  /** Called after every sample (progress, evidence). */
  readonly onSample?: (sample: CpuSample) => void;
  /** Called for every failed read or patch; sampling goes on. Default: ignore. */
  readonly onError?: (error: unknown) => void;
}

export interface PodUsage {
  /** `namespace/name`. */
  readonly pod: string;
  /** CPU over the last interval in millicores (1000 = one core busy all the time). */
  readonly milliCpu: number;
  /** Resident memory (VmRSS) of the process tree, in bytes. */
  readonly memoryBytes: number;
  /** False when none of the pod's processes exists any more (usage is then 0). */
  readonly alive: boolean;
  /** The processes measured (roots and, with includeDescendants, their descendants). */
  readonly pids: readonly number[];
}

export interface CpuSample {
  readonly at: Date;
  /** Usage of every pod measured in this sample. A pod seen for the first time has none yet. */
  readonly usage: readonly PodUsage[];
  /** Pods whose annotations were patched (only changed values are written). */
  readonly patched: number;
  /** Reads or patches that failed in this sample. */
  readonly errors: number;
}

export interface CpuSampler {
  /** Takes a sample now (after the one in progress, if any) and returns it. */
  sampleNow(): Promise<CpuSample>;
  /** The latest usage of every pod sampled so far. */
  latest(): ReadonlyMap<string, PodUsage>;
  /** Failed reads and patches since start. */
  errorCount(): number;
  /** Stops sampling and waits for a sample in progress to finish. Writes nothing more. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** One process's figures from /proc/<pid>/stat. */
export interface ProcStat {
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  readonly ticks: number;
  /** Start time after boot in clock ticks: with the pid, identifies the process. */
  readonly startTime: number;
}

interface PodState {
  /** `pid@starttime` of the live roots, sorted: a change means a different instance. */
  readonly identity: string;
  readonly ticks: number;
  readonly atMs: number;
}

interface Written {
  readonly cpu: string;
  readonly memory: string;
}

let clockTicks: Promise<number> | undefined;

/**
 * Clock ticks per second (`getconf CLK_TCK`, the unit of the times in /proc/<pid>/stat). It is
 * 100 on every Linux architecture Node runs on; 100 is also the fallback if getconf is missing.
 */
export function clockTicksPerSecond(): Promise<number> {
  clockTicks ??= runTool('getconf', ['CLK_TCK'], { timeoutMs: 5_000 })
    .then(({ stdout }) => {
      const value = Number.parseInt(stdout.trim(), 10);
      return Number.isFinite(value) && value > 0 ? value : 100;
    })
    .catch(() => 100);
  return clockTicks;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself contain
 * spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  // fields[0] is field 3 (state) of proc(5).
  const fields = text
    .slice(end + 2)
    .trim()
    .split(' ');
  const at = (field: number): number => Number(fields[field - 3]);
  const ppid = at(4);
  // A child's times move into its parent's cutime/cstime when the parent reaps it. Counting
  // them keeps the total of a process tree steady when a child exits (its own times leave the
  // sum, the same amount arrives in its parent's), and counts short-lived children in full.
  const ticks = at(14) + at(15) + at(16) + at(17);
  const startTime = at(22);
  if (![ppid, ticks, startTime].every(Number.isFinite)) return undefined;
  return { ppid, ticks, startTime };
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone
  }
}

async function readRssBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    // A zombie or kernel thread has no VmRSS line: no memory of its own.
    return kib === undefined ? 0 : Number(kib) * 1024;
  } catch {
    return 0;
  }
}

/** Every process's stat, for walking process trees. */
async function readProcTable(): Promise<Map<number, ProcStat>> {
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number);
  const stats = await Promise.all(pids.map(readStat));
  const table = new Map<number, ProcStat>();
  pids.forEach((pid, i) => {
    const stat = stats[i];
    if (stat !== undefined) table.set(pid, stat);
  });
  return table;
}

function podKeyParts(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1 || key.indexOf('/', slash + 1) !== -1) {
    throw new TypeError(`pod key ${JSON.stringify(key)} is not "namespace/name"`);
  }
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `tasks` with at most `limit` in flight. */
async function runLimited(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task !== undefined) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/**
 * Samples, every `intervalMs`, the CPU time and resident memory of the processes backing each
 * pod and writes them to the pod's usage annotations (a JSON merge patch through the apiserver),
 * which KWOK serves as the pod's kubelet resource metrics. Samples never overlap: the next one
 * is scheduled when the previous has finished, so a slow apiserver delays sampling rather than
 * piling up requests.
 *
 * CPU is `Δ(utime + stime + cutime + cstime) / CLK_TCK / Δt` over the process tree, with Δt
 * from a monotonic clock; the first sample of a pod (or of a new instance behind it) only sets
 * the baseline. A live instance is written as at least 1m: KWOK integrates the rate into a
 * counter, and metrics-server drops a container whose counter is still 0 as if it had no
 * metrics, so an idle instance would vanish from the metrics API instead of showing as idle.
 * A pod whose processes have all exited is written as 0 CPU and 0 memory, so metrics-server
 * leaves it out, as it leaves out a container that is not running.
 */
export async function startCpuSampler(
  target: { readonly kubeconfigPath: string },
  options: CpuSamplerOptions,
): Promise<CpuSampler> {
  const intervalMs = options.intervalMs ?? 2_000;
  if (!(intervalMs >= 100)) throw new RangeError(`intervalMs must be >= 100, got ${intervalMs}`);
  const includeDescendants = options.includeDescendants ?? true;
  const maxConcurrentPatches = options.maxConcurrentPatches ?? 8;
  const patchTimeoutMs = options.patchTimeoutMs ?? 10_000;
  const hz = await clockTicksPerSecond();
  const kc = new KubeConfig();
  kc.loadFromFile(target.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  const states = new Map<string, PodState>();
  const written = new Map<string, Written>();
  const latest = new Map<string, PodUsage>();
  let totalErrors = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inProgress: Promise<CpuSample> | undefined;

  const reportError = (error: unknown): void => {
    totalErrors++;
    try {
      options.onError?.(error);
    } catch {
      // a failing callback must not stop sampling
    }
  };

  const patchUsage = async (key: string, cpu: string, memory: string): Promise<boolean> => {
    const previous = written.get(key);
    if (previous?.cpu === cpu && previous.memory === memory) return false;
    const { namespace, name } = podKeyParts(key);
    try {
      await withTimeout(
        core.patchNamespacedPod(
          {
            namespace,
            name,
            body: {
              metadata: {
                annotations: { [USAGE_CPU_ANNOTATION]: cpu, [USAGE_MEMORY_ANNOTATION]: memory },
              },
            },
          },
          mergePatch,
        ),
        patchTimeoutMs,
        `patching the usage of pod ${key}`,
      );
      written.set(key, { cpu, memory });
      return true;
    } catch (error) {
      // A deleted pod needs no usage; anything else is worth reporting.
      if ((error as ApiException<unknown>).code === 404) {
        written.delete(key);
        states.delete(key);
        latest.delete(key);
        return false;
      }
      throw error;
    }
  };

  const sample = async (): Promise<CpuSample> => {
    let errors = 0;
    const at = new Date();
    let pods: PodProcessMap;
    try {
      pods = await options.pods();
    } catch (error) {
      reportError(error);
      return { at, usage: [], patched: 0, errors: 1 };
    }
    const table = includeDescendants ? await readProcTable() : undefined;
    const nowMs = performance.now();
    const children = new Map<number, number[]>();
    for (const [pid, stat] of table ?? []) {
      const siblings = children.get(stat.ppid);
      if (siblings === undefined) children.set(stat.ppid, [pid]);
      else siblings.push(pid);
    }

    const usage: PodUsage[] = [];
    const patches: (() => Promise<void>)[] = [];
    const queuePatch = (key: string, cpu: string, memory: string): void => {
      patches.push(async () => {
        try {
          if (await patchUsage(key, cpu, memory)) patched++;
        } catch (error) {
          errors++;
          reportError(error);
        }
      });
    };
    let patched = 0;

    for (const [key, value] of pods) {
      const roots = [...new Set(typeof value === 'number' ? [value] : value)];
      const rootStats = await Promise.all(
        roots.map(async (pid) => [pid, table?.get(pid) ?? (await readStat(pid))] as const),
      );
      const live = rootStats.filter(
        (entry): entry is readonly [number, ProcStat] => entry[1] !== undefined,
      );
      if (live.length === 0) {
        const gone: PodUsage = { pod: key, milliCpu: 0, memoryBytes: 0, alive: false, pids: [] };
        usage.push(gone);
        latest.set(key, gone);
        states.delete(key);
        queuePatch(key, '0', '0');
        continue;
      }
      const identity = live
        .map(([pid, stat]) => `${pid}@${stat.startTime}`)
        .sort()
        .join(',');
      const tree = new Set<number>();
      const pending = live.map(([pid]) => pid);
      while (pending.length > 0) {
        const pid = pending.pop() as number;
        if (tree.has(pid)) continue;
        tree.add(pid);
        if (includeDescendants) pending.push(...(children.get(pid) ?? []));
      }
      const pids = [...tree];
      let ticks = 0;
      for (const pid of pids)
        ticks += (table?.get(pid) ?? live.find(([p]) => p === pid)?.[1])?.ticks ?? 0;
      const memoryBytes = (await Promise.all(pids.map(readRssBytes))).reduce((a, b) => a + b, 0);

      const previous = states.get(key);
      states.set(key, { identity, ticks, atMs: nowMs });
      if (previous === undefined || previous.identity !== identity) continue; // baseline only
      const seconds = (nowMs - previous.atMs) / 1000;
      if (seconds <= 0) continue;
      // A process leaving the tree (re-parented away) lowers the total: count that as no use.
      const measured = Math.round((Math.max(0, ticks - previous.ticks) / hz / seconds) * 1000);
      const milliCpu = Math.max(1, measured);
      const reading: PodUsage = { pod: key, milliCpu, memoryBytes, alive: true, pids };
      usage.push(reading);
      latest.set(key, reading);
      queuePatch(key, `${milliCpu}m`, `${Math.max(1, Math.round(memoryBytes / 1024))}Ki`);
    }

    // Pods no longer listed: their instance has stopped. Written once as 0 (a 404 for a pod
    // that was deleted is ignored), then forgotten.
    for (const key of [...new Set([...states.keys(), ...written.keys()])]) {
      if (pods.has(key)) continue;
      states.delete(key);
      latest.delete(key);
      patches.push(async () => {
        try {
          if (await patchUsage(key, '0', '0')) patched++;
        } catch (error) {
          errors++;
          reportError(error);
        } finally {
          written.delete(key);
        }
      });
    }

    await runLimited(patches, maxConcurrentPatches);
    const result: CpuSample = { at, usage, patched, errors };
    try {
      options.onSample?.(result);
    } catch {
      // a failing callback must not stop sampling
    }
    return result;
  };

  const runSample = (): Promise<CpuSample> => {
    const run = (inProgress ?? Promise.resolve()).then(
      () => sample(),
      () => sample(),
    );
    const tracked = run.finally(() => {
      if (inProgress === tracked) inProgress = undefined;
    });
    inProgress = tracked;
    return tracked;
  };

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      const started = performance.now();
      runSample()
        .catch(reportError)
        .finally(() => schedule(Math.max(0, intervalMs - (performance.now() - started))));
    }, delayMs);
  };
  schedule(0);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopped = true;
      clearTimeout(timer);
      await inProgress?.catch(() => undefined);
    })();
    return stopping;
  };

  return {
    sampleNow: () => {
      if (stopped) return Promise.reject(new Error('the CPU sampler is stopped'));
      return runSample();
    },
    latest: () => new Map(latest),
    errorCount: () => totalErrors,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
