import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1Node,
  type V1Pod,
  type V1Probe,
} from '@kubernetes/client-node';
import { LOOPBACK_HOST, reserveLoopbackPort } from '@stackproof/core';
import { type ManagedProcess, startManagedProcess } from '@stackproof/toolchain';
import { type WatchedList, watchList } from '../kube/informers.ts';
import { reaction } from '../kube/reaction.ts';
import { type EnvSources, resolveContainerEnv, type ServiceRoute } from './pod-env.ts';
import {
  containerArgv,
  programForImage,
  REFERENCE_PROGRAMS,
  type WorkloadProgram,
} from './workload-programs.ts';

/**
 * Pods carrying this label are run by the data plane instead of KWOK: the sandbox's KWOK stage
 * for pod readiness skips them (kwok/data-plane/pod-ready.yaml), and the data plane acts as their
 * kubelet. The chart puts it on every pod of the reference services.
 */
export const DATA_PLANE_POD_LABEL = 'app.kubernetes.io/part-of';
export const DATA_PLANE_POD_LABEL_VALUE = 'stackproof';

/** A pod's real process. */
export interface Instance {
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
  readonly node: string;
  readonly pid: number;
  /** Loopback port the instance listens on (its PORT). */
  readonly port: number;
  readonly ready: boolean;
  readonly restarts: number;
  readonly logFile: string;
}

export interface DataPlaneOptions {
  readonly kubeconfigPath: string;
  /** Instance logs go to `<logDir>/<namespace>_<pod>.log`. */
  readonly logDir: string;
  readonly programs?: readonly WorkloadProgram[];
  /** Service addresses in env values are rewritten to these loopback routes (cluster DNS). */
  readonly routes?: () => readonly ServiceRoute[];
  /** Added to every instance's environment (the sandbox's marker, to find leftovers). */
  readonly instanceEnv?: Readonly<Record<string, string>>;
  /** Runs before each instance's env is resolved (the router re-reads Services). */
  readonly beforeInstanceStart?: () => Promise<void>;
  /**
   * Readiness probe period when the pod spec sets none shorter (default 1000 ms): the only
   * timer; pod and node changes arrive through watches.
   */
  readonly probePeriodMs?: number;
  /** Pod IPs handed out to data-plane pods (a /16). Default 10.244.0.0/16, apart from KWOK's. */
  readonly podCidrPrefix?: string;
}

interface Launch {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The pod's restartPolicy: Always restarts every exit, OnFailure non-zero ones, Never none. */
  readonly restartPolicy: string;
}

interface Running {
  /** The container the instance runs, and its readiness probe (a pod's spec is immutable). */
  readonly container: string;
  readonly readinessProbe: V1Probe | undefined;
  /** The container's preStop sleep action (seconds; 0 without one), run before SIGTERM. */
  readonly preStopSleepSeconds: number;
  /** The pod's terminationGracePeriodSeconds (default 30): preStop and the drain share it. */
  readonly terminationGraceSeconds: number;
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
  readonly node: string;
  readonly port: number;
  readonly logFile: string;
  proc: ManagedProcess;
  ready: boolean;
  restarts: number;
  consecutiveProbeFailures: number;
  lastProbeAt: number;
  /** Set when the instance is being stopped on purpose (or terminating); no restart then. */
  stopping: boolean;
  restartAt: number | undefined;
  readonly startedAt: string;
  /** Exit code once a run-to-completion pod's process has ended for good. */
  completed: number | undefined;
}

/** What the data plane last wrote to a pod's status, so it patches only on change. */
interface Published {
  readonly ready: boolean;
  readonly restarts: number;
}

const BASE_ENV_KEYS = ['PATH', 'HOME', 'LANG', 'TZ'] as const;

/** The end of a log as the kubelet keeps it for a termination message: 2048 bytes, 80 lines. */
async function logTail(file: string): Promise<string | undefined> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 2048);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const tail = buffer.toString('utf8').split('\n').slice(-80).join('\n').trim();
      return tail === '' ? undefined : tail;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * The sandbox's kubelet for the reference services. KWOK nodes run no containers; for every pod
 * with DATA_PLANE_POD_LABEL that is bound to a live node the data plane starts the program of its
 * image (workload-programs.ts) on a loopback port with the env the kubelet would give it, probes it
 * with the pod's own readinessProbe and publishes Running/Ready in the pod status — so a pod is
 * Ready exactly when its real instance answers, and EndpointSlices follow real readiness.
 *
 * failNode() is a power loss: the node's instances are SIGKILLed at once and the data plane stops
 * speaking for its pods, so their status goes stale until the node lifecycle controller marks
 * them not ready, as with a real lost node.
 */
export class DataPlane {
  readonly #kubeConfig: KubeConfig;
  readonly #core: CoreV1Api;
  readonly #options: DataPlaneOptions;
  readonly #programs: readonly WorkloadProgram[];
  readonly #instances = new Map<string, Running>();
  readonly #starting = new Set<string>();
  readonly #published = new Map<string, Published>();
  readonly #podIps = new Map<string, string>();
  readonly #failedNodes = new Set<string>();
  /** Run-to-completion pods whose instance ended and whose phase was published. */
  readonly #finished = new Set<string>();
  readonly #errors = new Map<string, string>();
  /** Pods being terminated (preStop, then SIGTERM); stop() ends their preStop early. */
  readonly #terminations = new Set<Promise<void>>();
  readonly #terminationAbort = new AbortController();
  #nextIp = 1;
  #timer: NodeJS.Timeout | undefined;
  #pods: WatchedList<V1Pod> | undefined;
  #nodes: WatchedList<V1Node> | undefined;
  readonly #reconciling = reaction(
    () => this.reconcile(),
    (error) => {
      if (error === undefined) this.#errors.delete('reconcile');
      else this.#errors.set('reconcile', error instanceof Error ? error.message : String(error));
    },
  );
  #stopped = false;

  constructor(options: DataPlaneOptions) {
    this.#kubeConfig = new KubeConfig();
    this.#kubeConfig.loadFromFile(options.kubeconfigPath);
    this.#core = this.#kubeConfig.makeApiClient(CoreV1Api);
    this.#options = options;
    this.#programs = options.programs ?? REFERENCE_PROGRAMS;
  }

  /**
   * Watches the data plane's pods and every node (list once, then watch): a new pod gets its
   * instance as soon as it is bound, a deleted one loses it at once. The probe period is the only
   * timer, since readiness is a matter of time, not of events.
   */
  async start(): Promise<void> {
    await mkdir(this.#options.logDir, { recursive: true });
    const labelSelector = `${DATA_PLANE_POD_LABEL}=${DATA_PLANE_POD_LABEL_VALUE}`;
    const onChange = (): void => this.#kick();
    this.#pods = await watchList<V1Pod>(
      this.#kubeConfig,
      '/api/v1/pods',
      () => this.#core.listPodForAllNamespaces({ labelSelector }),
      { labelSelector, onChange },
    );
    this.#nodes = await watchList<V1Node>(
      this.#kubeConfig,
      '/api/v1/nodes',
      () => this.#core.listNode(),
      { onChange },
    );
    this.#timer = setInterval(onChange, this.#options.probePeriodMs ?? 1_000);
    this.#kick();
  }

  /** Runs a pass now, or right after the one running: passes never overlap and none is lost. */
  #kick(): void {
    this.#reconciling.kick();
  }

  /**
   * One pass over the watched pods and nodes (no apiserver reads): start, probe, restart and stop
   * instances; publish pod status where it changed.
   */
  async reconcile(): Promise<void> {
    if (this.#stopped || this.#pods === undefined || this.#nodes === undefined) return;
    const nodesByName = new Map(this.#nodes.list().map((n) => [n.metadata?.name ?? '', n]));
    const wanted = new Set<string>();
    const probes: Promise<void>[] = [];
    for (const pod of this.#pods.list()) {
      const uid = pod.metadata?.uid ?? '';
      const node = pod.spec?.nodeName;
      if (node === undefined || !nodesByName.has(node)) continue;
      if (this.#failedNodes.has(node)) continue;
      if (pod.metadata?.deletionTimestamp !== undefined) continue;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      // Finished here, but the watch may not have delivered the Succeeded/Failed status yet: a
      // run-to-completion pod must not run twice.
      if (this.#finished.has(uid)) continue;
      wanted.add(uid);
      const instance = this.#instances.get(uid);
      if (instance === undefined) {
        if (!this.#starting.has(uid))
          void this.#startInstance(pod, nodesByName.get(node) as V1Node);
        continue;
      }
      // Probes run side by side: one slow instance must not delay the others' status.
      probes.push(
        this.#probe(instance).then(() =>
          this.#publish(pod, nodesByName.get(node) as V1Node, instance),
        ),
      );
    }
    await Promise.all(probes);
    for (const [uid, instance] of this.#instances) {
      if (!wanted.has(uid) && !instance.stopping && !this.#failedNodes.has(instance.node)) {
        this.#terminate(uid, instance);
      }
    }
    for (const uid of this.#published.keys()) {
      if (!wanted.has(uid) && !this.#instances.has(uid)) this.#published.delete(uid);
    }
    const present = new Set(this.#pods.list().map((p) => p.metadata?.uid ?? ''));
    for (const uid of this.#finished) if (!present.has(uid)) this.#finished.delete(uid);
  }

  #podIp(uid: string): string {
    let ip = this.#podIps.get(uid);
    if (ip === undefined) {
      const n = this.#nextIp++;
      const prefix = this.#options.podCidrPrefix ?? '10.244';
      ip = `${prefix}.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
      this.#podIps.set(uid, ip);
    }
    return ip;
  }

  #container(pod: V1Pod): { container: V1Container; program: WorkloadProgram } | undefined {
    for (const container of pod.spec?.containers ?? []) {
      const program = programForImage(container.image ?? '', this.#programs);
      if (program !== undefined) return { container, program };
    }
    return undefined;
  }

  async #startInstance(pod: V1Pod, node: V1Node): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    this.#starting.add(uid);
    try {
      const found = this.#container(pod);
      if (found === undefined) {
        const images = (pod.spec?.containers ?? []).map((c) => c.image).join(', ');
        this.#errors.set(uid, `${namespace}/${name}: no sandbox program for image ${images}`);
        return;
      }
      await this.#options.beforeInstanceStart?.();
      const env = await resolveContainerEnv(
        pod,
        found.container,
        this.#envSources(),
        this.#options.routes?.() ?? [],
      );
      const argv = containerArgv(found.program, found.container);
      const port = await reserveLoopbackPort();
      const logFile = join(this.#options.logDir, `${namespace}_${name}.log`);
      const base = Object.fromEntries(
        BASE_ENV_KEYS.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]]])),
      );
      const launch: Launch = {
        command: argv.command,
        args: argv.args,
        cwd: found.program.cwd,
        env: {
          ...base,
          ...env,
          ...this.#options.instanceEnv,
          HOST: LOOPBACK_HOST,
          PORT: String(port),
        },
        restartPolicy: pod.spec?.restartPolicy ?? 'Always',
      };
      const proc = await this.#spawn(namespace, name, launch, logFile);
      if (this.#stopped || this.#failedNodes.has(node.metadata?.name ?? '')) {
        await proc.stop({ graceMs: 0 });
        return;
      }
      const running: Running = {
        container: found.container.name,
        readinessProbe: found.container.readinessProbe,
        preStopSleepSeconds: found.container.lifecycle?.preStop?.sleep?.seconds ?? 0,
        terminationGraceSeconds: pod.spec?.terminationGracePeriodSeconds ?? 30,
        namespace,
        pod: name,
        uid,
        node: pod.spec?.nodeName ?? '',
        port,
        logFile,
        proc,
        ready: false,
        restarts: 0,
        consecutiveProbeFailures: 0,
        lastProbeAt: 0,
        stopping: false,
        restartAt: undefined,
        startedAt: new Date().toISOString(),
        completed: undefined,
      };
      this.#watchExit(running, launch);
      this.#instances.set(uid, running);
      this.#errors.delete(uid);
    } catch (error) {
      this.#errors.set(uid, error instanceof Error ? error.message : String(error));
    } finally {
      this.#starting.delete(uid);
    }
  }

  #spawn(namespace: string, pod: string, launch: Launch, logFile: string): Promise<ManagedProcess> {
    return startManagedProcess({
      name: `pod ${namespace}/${pod}`,
      command: launch.command,
      args: launch.args,
      cwd: launch.cwd,
      env: launch.env,
      logFile,
    });
  }

  /**
   * The pod's restartPolicy, as the kubelet applies it: an instance that exits on its own is
   * started again after a doubling backoff (1 s to 10 s), or, for a run-to-completion pod, its
   * exit code becomes the pod's phase.
   */
  #watchExit(running: Running, launch: Launch): void {
    void running.proc.exited.then(async (exit) => {
      if (running.stopping || this.#stopped) return;
      running.ready = false;
      const code = exit.code ?? 128;
      if (
        launch.restartPolicy === 'Never' ||
        (launch.restartPolicy === 'OnFailure' && code === 0)
      ) {
        running.completed = code;
        return;
      }
      const backoffMs = Math.min(10_000, 1_000 * 2 ** Math.min(running.restarts, 4));
      await new Promise((r) => setTimeout(r, backoffMs));
      if (running.stopping || this.#stopped || this.#instances.get(running.uid) !== running) return;
      running.restarts += 1;
      running.proc = await this.#spawn(running.namespace, running.pod, launch, running.logFile);
      this.#watchExit(running, launch);
    });
  }

  /** The pod's readinessProbe (httpGet; without one, ready while running), against the real instance. */
  async #probe(instance: Running): Promise<void> {
    const probe = instance.readinessProbe;
    const periodMs = Math.min(
      (probe?.periodSeconds ?? 10) * 1000,
      this.#options.probePeriodMs ?? 1_000,
    );
    if (Date.now() - instance.lastProbeAt < periodMs) return;
    instance.lastProbeAt = Date.now();
    if (instance.proc.exitInfo() !== undefined) {
      instance.ready = false;
      return;
    }
    if (probe?.httpGet === undefined) {
      // No HTTP readiness probe: the kubelet reports the container ready once it runs.
      instance.ready = true;
      return;
    }
    const timeoutMs = (probe?.timeoutSeconds ?? 1) * 1000;
    let ok: boolean;
    try {
      const path = probe.httpGet.path ?? '/';
      const response = await fetch(`http://${LOOPBACK_HOST}:${instance.port}${path}`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      ok = response.status >= 200 && response.status < 400;
    } catch {
      ok = false;
    }
    if (ok) {
      instance.consecutiveProbeFailures = 0;
      instance.ready = true;
    } else {
      instance.consecutiveProbeFailures += 1;
      if (instance.consecutiveProbeFailures >= (probe?.failureThreshold ?? 3) || !instance.ready) {
        instance.ready = false;
      }
    }
  }

  async #publish(pod: V1Pod, node: V1Node, instance: Running): Promise<void> {
    const uid = instance.uid;
    const last = this.#published.get(uid);
    const podReady =
      pod.status?.phase === 'Running' &&
      pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    // Patch when our view changed, or when someone else (the node lifecycle controller after a
    // node came back) changed readiness behind our back.
    if (instance.completed !== undefined) {
      await this.#publishCompleted(pod, instance, instance.completed);
      return;
    }
    if (
      last !== undefined &&
      last.ready === instance.ready &&
      last.restarts === instance.restarts &&
      podReady === instance.ready
    ) {
      return;
    }
    const hostIp =
      node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? LOOPBACK_HOST;
    const podIp = this.#podIp(uid);
    const now = new Date().toISOString();
    const ready = instance.ready ? 'True' : 'False';
    const containerStatuses = (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: c.name === instance.container ? instance.ready : false,
      restartCount: c.name === instance.container ? instance.restarts : 0,
      started: c.name === instance.container,
      state:
        c.name === instance.container
          ? { running: { startedAt: instance.startedAt } }
          : { waiting: { reason: 'NoSandboxProgram' } },
    }));
    const body = {
      status: {
        phase: 'Running',
        hostIP: hostIp,
        hostIPs: [{ ip: hostIp }],
        podIP: podIp,
        podIPs: [{ ip: podIp }],
        startTime: pod.status?.startTime ?? instance.startedAt,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: ready, lastTransitionTime: now },
          { type: 'Ready', status: ready, lastTransitionTime: now },
        ],
        containerStatuses,
      },
    };
    await this.#core.patchNamespacedPodStatus(
      { namespace: instance.namespace, name: instance.pod, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    this.#published.set(uid, { ready: instance.ready, restarts: instance.restarts });
  }

  /** A run-to-completion pod's process ended: Succeeded or Failed, and the instance is done. */
  async #publishCompleted(pod: V1Pod, instance: Running, code: number): Promise<void> {
    const now = new Date().toISOString();
    // The kubelet's FallbackToLogsOnError: a failed container's last log lines become its
    // termination message, readable from the pod status without access to the logs.
    const spec = pod.spec?.containers.find((c) => c.name === instance.container);
    const message =
      code !== 0 && spec?.terminationMessagePolicy === 'FallbackToLogsOnError'
        ? await logTail(instance.logFile)
        : undefined;
    const body = {
      status: {
        phase: code === 0 ? 'Succeeded' : 'Failed',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'False', lastTransitionTime: now },
          { type: 'Ready', status: 'False', lastTransitionTime: now },
        ],
        containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
          name: c.name,
          image: c.image ?? '',
          imageID: '',
          ready: false,
          restartCount: instance.restarts,
          started: false,
          state: {
            terminated: {
              exitCode: c.name === instance.container ? code : 0,
              ...(c.name === instance.container && message !== undefined ? { message } : {}),
              reason: code === 0 ? 'Completed' : 'Error',
              startedAt: instance.startedAt,
              finishedAt: now,
            },
          },
        })),
      },
    };
    await this.#core.patchNamespacedPodStatus(
      { namespace: instance.namespace, name: instance.pod, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    this.#finished.add(instance.uid);
    this.#instances.delete(instance.uid);
    this.#published.delete(instance.uid);
  }

  #envSources(): EnvSources {
    const core = this.#core;
    const read = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await f();
      } catch {
        return undefined;
      }
    };
    return {
      async secretValue(namespace, name, key) {
        const secret = await read(() => core.readNamespacedSecret({ namespace, name }));
        const data = secret?.data?.[key];
        if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
        return secret?.stringData?.[key];
      },
      async configMapValue(namespace, name, key) {
        const map = await read(() => core.readNamespacedConfigMap({ namespace, name }));
        return map?.data?.[key];
      },
    };
  }

  /**
   * A deleted pod's instance ends as the kubelet ends a container: its preStop sleep first (the
   * instance keeps serving, and the router keeps reaching it while an EndpointSlice still lists
   * the pod), then SIGTERM with what is left of the grace period. Runs beside the reconcile
   * passes, which must not wait seconds for one pod.
   */
  #terminate(uid: string, instance: Running): void {
    instance.stopping = true;
    const graceMs = instance.terminationGraceSeconds * 1000;
    const preStopMs = Math.min(instance.preStopSleepSeconds * 1000, graceMs);
    const termination = (async () => {
      if (preStopMs > 0) {
        await new Promise<void>((resolve) => {
          const signal = this.#terminationAbort.signal;
          const timer = setTimeout(done, preStopMs);
          function done(): void {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          }
          signal.addEventListener('abort', done, { once: true });
        });
      }
      // Gone meanwhile: a power loss killed it, or the data plane stopped.
      if (this.#instances.get(uid) !== instance) return;
      await this.#stopInstance(uid, { graceMs: Math.max(graceMs - preStopMs, 1_000) });
    })().catch((error: unknown) => {
      this.#errors.set(uid, error instanceof Error ? error.message : String(error));
    });
    this.#terminations.add(termination);
    void termination.finally(() => this.#terminations.delete(termination));
  }

  async #stopInstance(uid: string, options: { graceMs?: number } = {}): Promise<void> {
    const instance = this.#instances.get(uid);
    if (instance === undefined) return;
    instance.stopping = true;
    this.#instances.delete(uid);
    this.#published.delete(uid);
    // Power loss (graceMs 0): no SIGTERM, no graceful drain; the process is simply gone.
    await instance.proc.stop({ graceMs: options.graceMs ?? 10_000 });
  }

  /** Power loss of a node: its instances die at once; its pods are left to the control plane. */
  async failNode(node: string): Promise<string[]> {
    this.#failedNodes.add(node);
    const killed: string[] = [];
    const victims = [...this.#instances.entries()].filter(([, i]) => i.node === node);
    for (const [, instance] of victims) {
      try {
        process.kill(instance.proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const [uid, instance] of victims) {
      await this.#stopInstance(uid, { graceMs: 0 });
      killed.push(`${instance.namespace}/${instance.pod}`);
    }
    return killed;
  }

  /** The node has power again: its pods that still exist get instances on the next pass. */
  restoreNode(node: string): void {
    this.#failedNodes.delete(node);
  }

  failedNodes(): string[] {
    return [...this.#failedNodes].sort();
  }

  instances(): Instance[] {
    return [...this.#instances.values()].map((i) => ({
      namespace: i.namespace,
      pod: i.pod,
      uid: i.uid,
      node: i.node,
      pid: i.proc.pid,
      port: i.port,
      ready: i.ready,
      restarts: i.restarts,
      logFile: i.logFile,
    }));
  }

  /** The loopback port of a pod's live instance (for the router), if it has one. */
  instancePort(namespace: string, pod: string): number | undefined {
    for (const i of this.#instances.values()) {
      if (i.namespace === namespace && i.pod === pod && i.proc.exitInfo() === undefined) {
        return i.port;
      }
    }
    return undefined;
  }

  /** Problems starting instances (a missing secret, an image with no program), by pod uid. */
  errors(): Record<string, string> {
    return Object.fromEntries(this.#errors);
  }

  /** Watch errors being recovered from (the cache keeps serving meanwhile). */
  watchErrors(): string[] {
    return [this.#pods?.lastError(), this.#nodes?.lastError()].filter(
      (e): e is string => e !== undefined,
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#reconciling.stop();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await Promise.all([this.#pods?.stop(), this.#nodes?.stop()]);
    await this.#reconciling.idle();
    while (this.#starting.size > 0) await new Promise((r) => setTimeout(r, 20));
    this.#terminationAbort.abort();
    await Promise.all([...this.#instances.keys()].map((uid) => this.#stopInstance(uid)));
    await Promise.all(this.#terminations);
  }
}
