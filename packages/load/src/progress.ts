import { open } from 'node:fs/promises';
import type { K6Sample } from './k6-samples.ts';

/** What a run looks like right now (the last complete second), for the progress line. */
export interface ProgressSnapshot {
  /** Seconds since the load started. */
  readonly elapsedSeconds: number;
  readonly totalSeconds: number;
  readonly phase: string | null;
  readonly requestsPerSecond: number;
  readonly p95Ms: number | null;
  /** Failed requests so far / all requests so far. */
  readonly failed: number;
  readonly requests: number;
  readonly desired: number | null;
  readonly current: number | null;
  readonly ready: number | null;
  readonly cpuMillicores: number | null;
}

interface Second {
  requests: number;
  durations: number[];
  phase?: string;
  desired?: number;
  current?: number;
  ready?: number;
  cpu?: number;
}

/**
 * Follows the JSON outputs of running k6 processes (k6 flushes them every 200 ms) and keeps the
 * figures of the progress line. It reads only what was appended since the last poll; a line still
 * being written is kept for the next one.
 */
export class ProgressTailer {
  readonly #files: { path: string; offset: number; rest: string }[];
  readonly #seconds = new Map<number, Second>();
  readonly #phases: Set<string>;
  #start = Number.POSITIVE_INFINITY;
  #requests = 0;
  #failed = 0;

  constructor(files: readonly string[], phaseNames: Iterable<string>) {
    this.#files = files.map((path) => ({ path, offset: 0, rest: '' }));
    this.#phases = new Set([...phaseNames, 'sampler']);
  }

  async poll(): Promise<void> {
    for (const f of this.#files) {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(f.path, 'r');
      } catch {
        continue; // k6 has not created it yet
      }
      try {
        const { size } = await handle.stat();
        if (size <= f.offset) continue;
        const buffer = Buffer.alloc(size - f.offset);
        await handle.read(buffer, 0, buffer.length, f.offset);
        f.offset = size;
        const lines = (f.rest + buffer.toString('utf8')).split('\n');
        f.rest = lines.pop() ?? '';
        for (const line of lines) this.#line(line);
      } finally {
        await handle.close();
      }
    }
  }

  #line(line: string): void {
    if (!line.startsWith('{"metric"') && !line.includes('"type":"Point"')) return;
    let doc: {
      type?: string;
      metric?: string;
      data?: { time?: string; value?: number; tags?: Record<string, string> };
    };
    try {
      doc = JSON.parse(line);
    } catch {
      return;
    }
    if (doc.type !== 'Point' || doc.data?.time === undefined || typeof doc.data.value !== 'number')
      return;
    this.#sample({
      metric: doc.metric ?? '',
      time: Date.parse(doc.data.time),
      value: doc.data.value,
      tags: doc.data.tags ?? {},
    });
  }

  #sample(s: K6Sample): void {
    const phase = s.tags.phase ?? s.tags.scenario; // dropped_iterations carry only the scenario
    if (phase === undefined || !this.#phases.has(phase)) return;
    if (s.time < this.#start) this.#start = s.time;
    const key = Math.floor(s.time / 1000);
    let second = this.#seconds.get(key);
    if (second === undefined) {
      second = { requests: 0, durations: [] };
      this.#seconds.set(key, second);
    }
    if (phase !== 'sampler') second.phase = phase;
    switch (s.metric) {
      case 'http_reqs':
        second.requests += s.value;
        this.#requests += s.value;
        break;
      case 'http_req_failed':
        if (s.value !== 0) this.#failed++;
        break;
      case 'http_req_duration':
        second.durations.push(s.value);
        break;
      case 'stackproof_hpa_desired_replicas':
        second.desired = s.value;
        break;
      case 'stackproof_hpa_current_replicas':
        second.current = s.value;
        break;
      case 'stackproof_deployment_ready_replicas':
        second.ready = s.value;
        break;
      case 'stackproof_pods_cpu_millicores':
        second.cpu = s.value;
        break;
    }
  }

  /** The last complete second; undefined before the load started. */
  snapshot(now: number, totalSeconds: number): ProgressSnapshot | undefined {
    if (!Number.isFinite(this.#start)) return undefined;
    const key = Math.floor(now / 1000) - 1;
    const second = this.#seconds.get(key);
    // cluster figures: the latest second that has them (the sampler may lag a request second)
    let cluster: Second | undefined;
    for (let k = key; k > key - 5 && cluster === undefined; k--) {
      const s = this.#seconds.get(k);
      if (s?.desired !== undefined) cluster = s;
    }
    const sorted = [...(second?.durations ?? [])].sort((a, b) => a - b);
    for (const old of this.#seconds.keys()) if (old < key - 10) this.#seconds.delete(old);
    return {
      elapsedSeconds: Math.max(0, Math.round((now - this.#start) / 1000)),
      totalSeconds,
      phase: second?.phase ?? null,
      requestsPerSecond: second?.requests ?? 0,
      p95Ms:
        sorted.length === 0
          ? null
          : Math.round(
              sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] as number,
            ),
      failed: this.#failed,
      requests: this.#requests,
      desired: cluster?.desired ?? null,
      current: cluster?.current ?? null,
      ready: cluster?.ready ?? null,
      cpuMillicores: cluster?.cpu === undefined ? null : Math.round(cluster.cpu),
    };
  }
}

/** `[ 65/275 s] sustain  60 req/s  p95 120 ms  errors 0.00%  replicas desired 5 current 4 ready 4  cpu 820m` */
export function formatProgress(p: ProgressSnapshot): string {
  const pad = String(p.totalSeconds).length;
  const errors = p.requests === 0 ? 0 : (100 * p.failed) / p.requests;
  const cluster =
    p.desired === null
      ? ''
      : `  replicas desired ${p.desired} current ${p.current ?? '?'} ready ${p.ready ?? '?'}${p.cpuMillicores === null ? '' : `  cpu ${p.cpuMillicores}m`}`;
  return `[${String(p.elapsedSeconds).padStart(pad)}/${p.totalSeconds} s] ${(p.phase ?? '-').padEnd(9)} ${String(p.requestsPerSecond).padStart(4)} req/s  p95 ${p.p95Ms ?? '-'} ms  errors ${errors.toFixed(2)}%${cluster}`;
}
