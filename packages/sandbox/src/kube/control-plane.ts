import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LOOPBACK_HOST, reserveLoopbackPorts } from '@stackproof/core';
import {
  type ManagedProcess,
  resolveTool,
  startManagedProcess,
  waitReady,
} from '@stackproof/toolchain';
import {
  type AggregatorRouting,
  etcdArgs,
  kubeApiserverArgs,
  kubeControllerManagerArgs,
  kubeSchedulerArgs,
} from './control-plane-args.ts';
import { probeGet } from './https-probe.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { type ControlPlanePki, createControlPlanePki } from './pki.ts';

export interface ControlPlaneOptions {
  /**
   * Directory for the PKI, kubeconfigs, etcd data and logs (`logs/<component>.log`). It is kept
   * after stop() so the logs can be read; its pki/ and etcd/ are recreated on every start.
   * Default: a fresh temporary directory, removed by stop().
   */
  workDir?: string;
  /** Also start kube-controller-manager and kube-scheduler. Default false. */
  withControllers?: boolean;
  /**
   * How the aggregator and webhooks reach a Service (see AggregatorRouting). Default
   * `endpoints`. The metrics pipeline needs `service` (metricsPipelineControlPlaneOptions).
   */
  aggregatorRouting?: AggregatorRouting;
  /**
   * The HPA controller's sync period in seconds (with `withControllers`). Default: the
   * controller's own 15 s.
   */
  horizontalPodAutoscalerSyncPeriodSeconds?: number;
  /**
   * Flags appended to a component's command line; a repeated flag overrides the default (the
   * last one wins), e.g. a shorter `--node-monitor-grace-period` for the controller manager.
   */
  extraArgs?: {
    readonly apiserver?: readonly string[];
    readonly controllerManager?: readonly string[];
    readonly scheduler?: readonly string[];
  };
}

/** A running control-plane process. */
export interface ControlPlaneComponent {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Loopback TCP ports it listens on. */
  readonly ports: readonly number[];
  /** Milliseconds from spawn to ready. */
  readonly readyAfterMs: number;
}

export interface ControlPlane {
  /** https URL of kube-apiserver on 127.0.0.1. */
  readonly server: string;
  /** Admin (system:masters) kubeconfig with the certificates embedded. */
  readonly kubeconfigPath: string;
  readonly workDir: string;
  readonly pki: ControlPlanePki;
  /** The started processes, in start order. */
  readonly components: readonly ControlPlaneComponent[];
  /** Stops every component (reverse order, SIGTERM then SIGKILL) and verifies each pid is gone. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const ETCD_READY_TIMEOUT_MS = 60_000;
const APISERVER_READY_TIMEOUT_MS = 180_000;
const CONTROLLER_READY_TIMEOUT_MS = 120_000;

interface Started {
  readonly proc: ManagedProcess;
  readonly component: ControlPlaneComponent;
}

async function startComponent(
  name: string,
  binary: string,
  args: string[],
  logDir: string,
  ports: readonly number[],
  probe: () => Promise<boolean>,
  timeoutMs: number,
  started: Started[],
): Promise<void> {
  const t0 = performance.now();
  const proc = await startManagedProcess({
    name,
    command: binary,
    args,
    logFile: join(logDir, `${name}.log`),
  });
  const component = {
    name,
    pid: proc.pid,
    logFile: proc.logFile,
    ports,
    readyAfterMs: 0,
  };
  // Registered before the wait so a failed start still stops it.
  started.push({ proc, component });
  await waitReady(
    proc,
    async () => {
      try {
        return await probe();
      } catch {
        return false;
      }
    },
    { what: `${name} to answer its readiness probe`, timeoutMs },
  );
  component.readyAfterMs = Math.round(performance.now() - t0);
}

async function stopAll(started: readonly Started[]): Promise<void> {
  const errors: unknown[] = [];
  for (const { proc } of [...started].reverse()) {
    try {
      await proc.stop();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1)
    throw new AggregateError(errors, 'several components could not be stopped');
}

/**
 * Starts etcd and kube-apiserver (and, with `withControllers`, kube-controller-manager and
 * kube-scheduler) as local processes on free loopback ports, with a fresh PKI. Binaries come
 * from ETCD_BIN, KUBE_APISERVER_BIN, ... or PATH (`make tools` builds them). If any component
 * fails to start, everything already started is stopped and the error names the component with
 * the tail of its log.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const withControllers = options.withControllers ?? false;
  // Resolve every binary first: a missing tool fails before anything is created.
  const bins = {
    etcd: resolveTool('etcd').path,
    apiserver: resolveTool('kube-apiserver').path,
    ...(withControllers
      ? {
          controllerManager: resolveTool('kube-controller-manager').path,
          scheduler: resolveTool('kube-scheduler').path,
        }
      : {}),
  };

  const ownsWorkDir = options.workDir === undefined;
  const workDir =
    options.workDir === undefined
      ? await mkdtemp(join(tmpdir(), 'stackproof-control-plane-'))
      : resolve(options.workDir);
  const started: Started[] = [];
  const cleanupFailedStart = async (): Promise<void> => {
    await stopAll(started).catch(() => undefined);
    if (ownsWorkDir) await rm(workDir, { recursive: true, force: true });
  };

  try {
    const logDir = join(workDir, 'logs');
    const etcdDataDir = join(workDir, 'etcd');
    await rm(join(workDir, 'pki'), { recursive: true, force: true });
    await rm(etcdDataDir, { recursive: true, force: true });
    await mkdir(logDir, { recursive: true });
    await mkdir(etcdDataDir, { recursive: true, mode: 0o700 });

    const [pki, ports] = await Promise.all([
      createControlPlanePki(join(workDir, 'pki')),
      reserveLoopbackPorts(5),
    ]);
    const [etcdClient, etcdPeer, apiserverPort, controllerManagerPort, schedulerPort] = ports as [
      number,
      number,
      number,
      number,
      number,
    ];
    const server = `https://${LOOPBACK_HOST}:${apiserverPort}`;
    const kubeconfigPath = join(workDir, 'kubeconfig');
    await writeKubeconfig(kubeconfigPath, {
      server,
      caFile: pki.ca.cert,
      client: pki.admin,
      user: 'kubernetes-admin',
    });

    await startComponent(
      'etcd',
      bins.etcd,
      etcdArgs(pki, etcdDataDir, { client: etcdClient, peer: etcdPeer }),
      logDir,
      [etcdClient, etcdPeer],
      async () => {
        const res = await probeGet(`https://${LOOPBACK_HOST}:${etcdClient}/health`, {
          caFile: pki.ca.cert,
          client: pki.apiserverEtcdClient,
        });
        return (
          res.status === 200 && (JSON.parse(res.body) as { health?: string }).health === 'true'
        );
      },
      ETCD_READY_TIMEOUT_MS,
      started,
    );

    await startComponent(
      'kube-apiserver',
      bins.apiserver,
      [
        ...kubeApiserverArgs(pki, workDir, etcdClient, apiserverPort, {
          ...(options.aggregatorRouting === undefined
            ? {}
            : { aggregatorRouting: options.aggregatorRouting }),
        }),
        ...(options.extraArgs?.apiserver ?? []),
      ],
      logDir,
      [apiserverPort],
      async () =>
        (await probeGet(`${server}/readyz`, { caFile: pki.ca.cert, client: pki.admin })).status ===
        200,
      APISERVER_READY_TIMEOUT_MS,
      started,
    );

    if (bins.controllerManager !== undefined && bins.scheduler !== undefined) {
      const cmKubeconfig = join(workDir, 'controller-manager.kubeconfig');
      const schedulerKubeconfig = join(workDir, 'scheduler.kubeconfig');
      await Promise.all([
        writeKubeconfig(cmKubeconfig, {
          server,
          caFile: pki.ca.cert,
          client: pki.controllerManager,
          user: 'system:kube-controller-manager',
        }),
        writeKubeconfig(schedulerKubeconfig, {
          server,
          caFile: pki.ca.cert,
          client: pki.scheduler,
          user: 'system:kube-scheduler',
        }),
      ]);
      const healthz = (port: number) => async () =>
        (await probeGet(`https://${LOOPBACK_HOST}:${port}/healthz`, { caFile: pki.ca.cert }))
          .status === 200;
      // allSettled, not all: a failure of one must not leave the other spawning unseen by the
      // cleanup below.
      const results = await Promise.allSettled([
        startComponent(
          'kube-controller-manager',
          bins.controllerManager,
          [
            ...kubeControllerManagerArgs(pki, workDir, cmKubeconfig, controllerManagerPort, {
              ...(options.horizontalPodAutoscalerSyncPeriodSeconds === undefined
                ? {}
                : {
                    horizontalPodAutoscalerSyncPeriodSeconds:
                      options.horizontalPodAutoscalerSyncPeriodSeconds,
                  }),
            }),
            ...(options.extraArgs?.controllerManager ?? []),
          ],
          logDir,
          [controllerManagerPort],
          healthz(controllerManagerPort),
          CONTROLLER_READY_TIMEOUT_MS,
          started,
        ),
        startComponent(
          'kube-scheduler',
          bins.scheduler,
          [
            ...kubeSchedulerArgs(pki, workDir, schedulerKubeconfig, schedulerPort),
            ...(options.extraArgs?.scheduler ?? []),
          ],
          logDir,
          [schedulerPort],
          healthz(schedulerPort),
          CONTROLLER_READY_TIMEOUT_MS,
          started,
        ),
      ]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        try {
          await stopAll(started);
        } finally {
          if (ownsWorkDir) await rm(workDir, { recursive: true, force: true });
        }
      })();
      return stopping;
    };
    return {
      server,
      kubeconfigPath,
      workDir,
      pki,
      components: started.map((s) => s.component),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await cleanupFailedStart();
    throw error;
  }
}
