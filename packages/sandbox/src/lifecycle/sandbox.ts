import { chmod, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  AutoscalingV2Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V2HorizontalPodAutoscaler,
  Watch,
} from '@kubernetes/client-node';
import { DEFAULT_ZONES, repoPath, type TerraformOutputsDocument } from '@stackproof/core';
import { type SeedResult, seedAwsAccount } from '@stackproof/iac';
import { type MotoServer, startMotoServer } from '@stackproof/toolchain';
import { AWS_STATE_DIR, type AwsStateSummary, describeAwsState } from '../aws/state-manifest.ts';
import { restoreAwsState } from '../aws/state-restore.ts';
import { DataPlane } from '../data-plane/data-plane.ts';
import { ServiceRouter } from '../data-plane/service-router.ts';
import { MultiAzDatabase } from '../database/multi-az-database.ts';
import { PASSWORD, SUPERUSER, serverUserCanReach } from '../database/postgres-cluster.ts';
import { type ControlPlane, startControlPlane } from '../kube/control-plane.ts';
import { type CpuSampler, startCpuSampler } from '../kube/cpu-sampler.ts';
import { helmInstall, WORKLOADS_CHART_DIR } from '../kube/helm-release.ts';
import { KWOK_STAGES_DIR, type Kwok, startKwok } from '../kube/kwok.ts';
import {
  createKwokNodes,
  eksNodeGroup,
  type InstanceType,
  waitForNodesReady,
} from '../kube/kwok-nodes.ts';
import {
  kwokMetricsOptions,
  type MetricsPipeline,
  metricsNodeAnnotations,
  metricsPipelineControlPlaneOptions,
  startMetricsPipeline,
} from '../kube/metrics-pipeline.ts';
import type {
  DatabaseFailover,
  DatabaseTopology,
  NodePowerLoss,
  NodeRestore,
  SandboxNodeInfo,
  SandboxZoneInfo,
  StandbyRejoin,
  ZonePowerLoss,
  ZoneRestore,
} from '../sandbox-client.ts';
import { SandboxTargetError } from './errors.ts';
import { SANDBOX_MARKER_ENV } from './residue.ts';

/**
 * Holder of a powered-off node's Lease. KWOK renews a node's Lease only while it holds it (it
 * coexists with real kubelets that way), so the sandbox takes the Lease over with a long duration
 * and never renews it: KWOK stops heartbeating the node and its pods, and the node lifecycle
 * controller sees the renewals stop, exactly as when a kubelet loses power.
 */
export const POWER_LOSS_LEASE_HOLDER = 'stackproof-sandbox/power-loss';
const POWER_LOSS_LEASE_SECONDS = 24 * 3600;

/** A Lease MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** KWOK stages with the data plane's pod-ready and pod-complete in place of KWOK's (kwok/data-plane/). */
export const DATA_PLANE_STAGES_DIR = fileURLToPath(
  new URL('../../kwok/data-plane/', import.meta.url),
);

/**
 * Timings that make node loss visible within seconds instead of minutes. EKS keeps the upstream
 * defaults (node-monitor-grace-period 50 s, 300 s not-ready/unreachable tolerations); shortening
 * them changes how fast the control plane reacts, not what it does.
 */
export const SANDBOX_TIMINGS = {
  /** KWOK renews each node's Lease well within this. */
  nodeLeaseDurationSeconds: 10,
  /** kube-controller-manager marks a node NotReady/Unknown after this long without a renewal. */
  nodeMonitorGracePeriodSeconds: 16,
  nodeMonitorPeriodSeconds: 2,
  /** Pods tolerate a NotReady/unreachable node this long before they are evicted. */
  evictionTolerationSeconds: 10,
  /** HPA controller sync period (upstream 15 s). */
  hpaSyncPeriodSeconds: 5,
} as const;

export interface SandboxProgress {
  readonly step: string;
  readonly state: 'start' | 'done';
  readonly elapsedMs: number;
}

export interface SandboxOptions {
  /** Working directory (kubeconfig, logs, PKI, database); `.sandbox` in the CLI. */
  readonly dir: string;
  readonly nodesPerZone?: number;
  readonly instanceType?: InstanceType;
  readonly zones?: readonly string[];
  readonly onProgress?: (progress: SandboxProgress) => void;
  /** Namespace and Helm release of the reference workloads. */
  readonly namespace?: string;
  /** Extra Helm values over the sandbox's (for example fixed replicas). */
  readonly helmValues?: Readonly<Record<string, unknown>>;
}

/**
 * The AWS account the sandbox's moto holds: `replayed` from a recorded `tofu apply` of
 * terraform/aws (fixtures/aws-state), or `seeded` through the SDK from terraform/aws read with the
 * real HCL parser (packages/iac's seed) where no recording exists. Never "applied": no provider
 * ran here.
 */
export interface AwsAccountState {
  readonly kind: 'replayed' | 'seeded';
  readonly workspaces: readonly string[];
  /** The seed's record (what each resource became, what moto cannot hold): `aws-seed.json`. */
  readonly seedRecord?: string;
  /** Resources of terraform/aws moto cannot hold (seeded accounts). */
  readonly notHeld: number;
}

export interface Sandbox extends AsyncDisposable {
  readonly dir: string;
  readonly controlPlane: ControlPlane;
  readonly kwok: Kwok;
  /**
   * PostgreSQL as a Multi-AZ RDS instance: a primary and a streaming standby in two zones behind
   * one stable endpoint (the backend's database host), which a failover moves.
   */
  readonly database: MultiAzDatabase;
  readonly dataPlane: DataPlane;
  readonly router: ServiceRouter;
  /** metrics-server behind the registered APIService, scraping KWOK's kubelet metrics. */
  readonly metrics: MetricsPipeline;
  /** Feeds each pod's usage annotation from its real instance's measured CPU and memory. */
  readonly cpuSampler: CpuSampler;
  /** moto on loopback: the AWS side. */
  readonly aws: MotoServer;
  /** What account state the emulator was given (a replayed recording of terraform/aws, or none). */
  readonly awsState: AwsStateSummary;
  /**
   * `terraform output -json` of each replayed or seeded workspace, by workspace path; the daemon writes them to the outputs directory (see aws/outputs.ts).
   */
  readonly awsOutputs: Readonly<Record<string, TerraformOutputsDocument>>;
  /** How the emulator got its account: replayed or seeded (never applied). */
  readonly awsAccount: AwsAccountState;
  readonly namespace: string;
  readonly nodes: readonly SandboxNodeInfo[];
  zones(): SandboxZoneInfo[];
  /** Loopback URL of a Service of the reference workloads (`backend`, `frontend`). */
  serviceUrl(component: 'backend' | 'frontend'): string;
  /** Power loss of one node: instances die at once, KWOK stops its heartbeat. */
  failNode(name: string): Promise<NodePowerLoss>;
  /** Power back on; a node that has power is left alone (`restored: false`). */
  restoreNode(name: string): Promise<NodeRestore>;
  /** Power loss of every node in a zone. */
  failZone(zone: string): Promise<ZonePowerLoss>;
  restoreZone(zone: string): Promise<ZoneRestore>;
  databaseTopology(): Promise<DatabaseTopology>;
  /** A Multi-AZ failover of the database (the RDS ForceFailover reboot's stand-in). */
  failoverDatabase(): Promise<DatabaseFailover>;
  /** The standby back in sync; a no-op when it streams. */
  rejoinStandby(): Promise<StandbyRejoin>;
  stop(): Promise<void>;
}

/**
 * Resolves once every HPA of the namespace reports ScalingActive=True (a watch on the HPAs; the
 * list is re-read when the watch ends early), or fails after `timeoutMs` naming the ones that do not.
 */
async function hpasActive(kc: KubeConfig, namespace: string, timeoutMs: number): Promise<void> {
  const active = (h: V2HorizontalPodAutoscaler) =>
    h.status?.conditions?.some((c) => c.type === 'ScalingActive' && c.status === 'True') ?? false;
  const api = kc.makeApiClient(AutoscalingV2Api);
  const state = new Map<string, boolean>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await api.listNamespacedHorizontalPodAutoscaler({ namespace });
    state.clear();
    for (const h of list.items) state.set(h.metadata?.name ?? '', active(h));
    if ([...state.values()].every(Boolean)) return;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const waiting = [...state].filter(([, on]) => !on).map(([n]) => n);
      throw new Error(
        `HPAs ${waiting.join(', ')} in ${namespace} still have no metrics after ${timeoutMs} ms`,
      );
    }
    await new Promise<void>((resolve) => {
      let request: { abort(): void } | undefined;
      const timer = setTimeout(() => request?.abort(), Math.min(remaining, 30_000));
      const finish = () => {
        clearTimeout(timer);
        request?.abort();
        resolve();
      };
      void new Watch(kc)
        .watch(
          `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`,
          { resourceVersion: list.metadata?.resourceVersion },
          (_type: string, h: V2HorizontalPodAutoscaler) => {
            state.set(h.metadata?.name ?? '', active(h));
            if ([...state.values()].every(Boolean)) finish();
          },
          () => finish(),
        )
        .then((r) => {
          request = r;
        }, finish);
    });
    if ([...state.values()].every(Boolean)) return;
  }
}

/**
 * The zone of the account's Multi-AZ DB instance (the first one moto lists), where the stand-in's
 * primary goes; undefined when the account holds none.
 */
async function rdsPrimaryZone(aws: MotoServer): Promise<string | undefined> {
  const rds = new RDSClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    const db = out.DBInstances?.find((d) => d.MultiAZ === true) ?? out.DBInstances?.[0];
    return db?.AvailabilityZone;
  } finally {
    rds.destroy();
  }
}

/** The Helm release of the reference workloads, named so its Services are `stackproof-<component>`. */
export const SANDBOX_RELEASE = 'stackproof';
const DATABASE_NAME = 'stackproof';
const DATABASE_SECRET = 'stackproof-database';

function sandboxValues(database: MultiAzDatabase): Record<string, unknown> {
  return {
    fullnameOverride: SANDBOX_RELEASE,
    // The endpoint, never a server: a failover moves it, as RDS moves its DNS name.
    databaseHost: database.endpoint.host,
    databasePort: database.endpoint.port,
    databaseName: DATABASE_NAME,
    // The sandbox database listens on loopback only, without TLS; RDS is reached over TLS.
    databaseSslMode: 'disable',
    // No External Secrets operator: the sandbox writes the Secret the operator would.
    externalSecretEnabled: false,
    databaseCredentialsSecretName: DATABASE_SECRET,
    // No ingress controller or cert-manager; the frontend's Service is routed on loopback.
    ingressEnabled: false,
    // Reacting in seconds, so a bounded burst shows the scale-out and its end.
    autoscalingScaleDownStabilizationSeconds: 30,
  };
}

async function ensureNamespace(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.createNamespace({ body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

async function writeDatabaseSecret(core: CoreV1Api, namespace: string): Promise<void> {
  const body = {
    metadata: { name: DATABASE_SECRET, namespace },
    stringData: { username: SUPERUSER, password: PASSWORD },
  };
  try {
    await core.createNamespacedSecret({ namespace, body });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

/** The data plane's own versions of upstream stages (they skip the pods it runs for real). */
const DATA_PLANE_STAGES = ['pod-complete.yaml', 'pod-ready.yaml'];

async function sandboxStageFiles(): Promise<string[]> {
  const upstream = (await readdir(KWOK_STAGES_DIR))
    .filter((n) => n.endsWith('.yaml') && !DATA_PLANE_STAGES.includes(n))
    .map((n) => join(KWOK_STAGES_DIR, n));
  return [...upstream, ...DATA_PLANE_STAGES.map((n) => join(DATA_PLANE_STAGES_DIR, n))].sort();
}

/**
 * Starts the whole sandbox: control plane, KWOK nodes over three zones, PostgreSQL, the data plane
 * and its router, and the reference workloads through Helm. Anything that fails to start is
 * named, and everything started before it is stopped again.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const dir = resolve(options.dir);
  const namespace = options.namespace ?? 'stackproof';
  const t0 = performance.now();
  const stoppers: { name: string; stop: () => Promise<void> }[] = [];
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    options.onProgress?.({ step: name, state: 'start', elapsedMs: performance.now() - t0 });
    const result = await run();
    options.onProgress?.({ step: name, state: 'done', elapsedMs: performance.now() - t0 });
    return result;
  };
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const s of stoppers.reverse()) {
      try {
        await s.stop();
      } catch (error) {
        errors.push(error);
      }
    }
    stoppers.length = 0;
    if (errors.length > 0)
      throw new AggregateError(errors, 'sandbox: some components did not stop');
  };

  try {
    await mkdir(join(dir, 'logs'), { recursive: true });
    const controlPlane = await step('control plane', () =>
      startControlPlane({
        workDir: join(dir, 'k8s'),
        withControllers: true,
        ...metricsPipelineControlPlaneOptions,
        horizontalPodAutoscalerSyncPeriodSeconds: SANDBOX_TIMINGS.hpaSyncPeriodSeconds,
        extraArgs: {
          apiserver: [
            `--default-not-ready-toleration-seconds=${SANDBOX_TIMINGS.evictionTolerationSeconds}`,
            `--default-unreachable-toleration-seconds=${SANDBOX_TIMINGS.evictionTolerationSeconds}`,
          ],
          controllerManager: [
            `--node-monitor-grace-period=${SANDBOX_TIMINGS.nodeMonitorGracePeriodSeconds}s`,
            `--node-monitor-period=${SANDBOX_TIMINGS.nodeMonitorPeriodSeconds}s`,
          ],
        },
      }),
    );
    stoppers.push({ name: 'control plane', stop: () => controlPlane.stop() });

    const kc = new KubeConfig();
    kc.loadFromFile(controlPlane.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);

    const kwok = await step('kwok', async () =>
      startKwok(controlPlane, {
        // KWOK is also every node's kubelet for resource metrics (see metrics-pipeline.ts).
        ...(await kwokMetricsOptions(controlPlane)),
        stageFiles: await sandboxStageFiles(),
        nodeLeaseDurationSeconds: SANDBOX_TIMINGS.nodeLeaseDurationSeconds,
        logFile: join(dir, 'logs', 'kwok.log'),
      }),
    );
    stoppers.push({ name: 'kwok', stop: () => kwok.stop() });

    // The AWS side first: each node gets an EC2 instance of the stack's node group behind it, and
    // its providerID names that instance, as on EKS.
    const aws = await step('aws emulator (moto)', () =>
      startMotoServer({ logFile: join(dir, 'logs', 'moto.log') }),
    );
    stoppers.push({ name: 'moto', stop: () => aws.stop() });
    const nodeSpecs = (nodegroup: string) =>
      eksNodeGroup({
        nodegroup,
        instanceType: options.instanceType ?? 'm6i.large',
        zones: options.zones ?? DEFAULT_ZONES,
        nodesPerZone: options.nodesPerZone ?? 2,
      });
    const awsStateDir = repoPath(AWS_STATE_DIR);
    const awsState = await describeAwsState(awsStateDir);
    const awsOutputs: Record<string, TerraformOutputsDocument> = {};
    let awsAccount: AwsAccountState;
    let seed: SeedResult | undefined;
    if (awsState.available) {
      // The account state a recorded `tofu apply` of terraform/aws left, replayed.
      awsAccount = await step(`aws state (${awsState.workspaces.join(', ')})`, async () => {
        const restored = await restoreAwsState(aws, awsState.recordingFile);
        for (const ws of restored.workspaces) awsOutputs[ws.name] = ws.outputs;
        return { kind: 'replayed', workspaces: awsState.workspaces, notHeld: 0 } as const;
      });
    } else {
      // No recording (the hashicorp/aws provider cannot be had here): seed the reference account
      // through the SDK from terraform/aws, and say it is a seed. One instance per node, in the
      // nodes' order (their names follow the seeded node group's, known after the seed): the
      // node and its instance meet through the providerID, as on EKS.
      const nodes = nodeSpecs('node').map((n) => ({ name: n.name, zone: n.zone }));
      const seeded = await step('aws account (seeded from terraform/aws)', () =>
        seedAwsAccount({ target: aws, nodes }),
      );
      seed = seeded;
      const seedRecord = join(dir, 'aws-seed.json');
      await writeFile(seedRecord, `${JSON.stringify(seeded, null, 2)}\n`);
      for (const ws of seeded.workspaces) awsOutputs[ws.name] = ws.outputs;
      awsAccount = {
        kind: 'seeded',
        workspaces: seeded.workspaces.map((w) => w.name),
        seedRecord,
        notHeld: seeded.workspaces
          .flatMap((w) => w.resources)
          .filter((r) => r.status === 'not-held').length,
      };
    }
    // Node names stay `general-<zone>-<n>` (scripts and tests name them); the node group label
    // is the seeded node group's, as EKS labels its nodes.
    const nodegroup = seed?.nodeGroup?.nodegroupName;
    const providerIds = new Map(
      (seed?.nodeInstances ?? []).map((i, index) => [index, i.providerId] as const),
    );
    const specs = nodeSpecs('general').map((spec, index) => ({
      ...spec,
      annotations: metricsNodeAnnotations(spec.name),
      ...(nodegroup !== undefined ? { labels: { 'eks.amazonaws.com/nodegroup': nodegroup } } : {}),
      ...(providerIds.has(index) ? { providerId: providerIds.get(index) as string } : {}),
    }));
    await step(`${specs.length} nodes Ready`, async () => {
      await createKwokNodes(controlPlane, specs);
      await waitForNodesReady(
        controlPlane,
        specs.map((s) => s.name),
      );
    });

    const metrics = await step('metrics-server (APIService v1beta1.metrics.k8s.io)', () =>
      startMetricsPipeline(controlPlane, kwok, {
        nodes: specs.map((s) => s.name),
        logFile: join(dir, 'logs', 'metrics-server.log'),
      }),
    );
    stoppers.push({ name: 'metrics-server', stop: () => metrics.stop() });

    // The database's zones are the RDS instance's: its primary where moto placed it, the standby
    // in the next zone of the sandbox (moto reports no SecondaryAvailabilityZone).
    const zones = options.zones ?? DEFAULT_ZONES;
    const primaryZone = (await rdsPrimaryZone(aws)) ?? zones[0] ?? DEFAULT_ZONES[0];
    const standbyZone =
      zones.find((z) => z !== primaryZone) ?? DEFAULT_ZONES.find((z) => z !== primaryZone);
    const database = await step(
      `postgresql (primary ${primaryZone}, standby ${standbyZone})`,
      async () => {
        // Inside the sandbox dir when the server's user can enter it; otherwise (a 0700 parent
        // such as /root, as root) a temp dir, which sandbox.json records so `down` removes it.
        let rootDir = join(dir, 'postgres');
        if (!(await serverUserCanReach(dir))) {
          rootDir = await mkdtemp(join(tmpdir(), 'stackproof-sandbox-pg-'));
          await chmod(rootDir, 0o755);
        }
        return MultiAzDatabase.create({
          rootDir,
          zones: { primary: primaryZone, standby: standbyZone ?? `${primaryZone}-standby` },
          databases: [DATABASE_NAME],
        });
      },
    );
    stoppers.push({ name: 'postgresql', stop: () => database.destroy() });

    const router = new ServiceRouter({
      kubeconfigPath: controlPlane.kubeconfigPath,
      instancePort: (ns, pod) => dataPlane.instancePort(ns, pod),
    });
    const dataPlane = new DataPlane({
      kubeconfigPath: controlPlane.kubeconfigPath,
      logDir: join(dir, 'logs', 'pods'),
      instanceEnv: { [SANDBOX_MARKER_ENV]: dir },
      routes: () => router.routes(),
      // A pod's env is resolved once, at start: read Services first so that a Service created
      // in the same helm install (the frontend's BACKEND_URL) already has its route.
      beforeInstanceStart: () => router.refresh(),
    });
    await step('data plane', async () => {
      await router.start();
      stoppers.push({ name: 'router', stop: () => router.stop() });
      await dataPlane.start();
      stoppers.push({ name: 'data plane', stop: () => dataPlane.stop() });
    });
    // Each pod's CPU, as the metrics API (and so the HPA) sees it, is its instance's measured CPU.
    const cpuSampler = await startCpuSampler(controlPlane, {
      pods: () =>
        new Map(dataPlane.instances().map((i) => [`${i.namespace}/${i.pod}`, i.pid] as const)),
    });
    stoppers.push({ name: 'cpu sampler', stop: () => cpuSampler.stop() });

    await step('reference workloads (helm)', async () => {
      await ensureNamespace(core, namespace);
      await writeDatabaseSecret(core, namespace);
      await helmInstall({
        kubeconfigPath: controlPlane.kubeconfigPath,
        release: SANDBOX_RELEASE,
        namespace,
        chartDir: WORKLOADS_CHART_DIR,
        values: { ...sandboxValues(database), ...options.helmValues },
        workDir: dir,
        timeoutSeconds: 240,
      });
    });
    // Up means checkable: `pnpm test:infra` right after `up` judges the HPAs by their live
    // metrics, which reach them one metrics-server scrape and one HPA sync after the pods start.
    await step('autoscalers see metrics', () => hpasActive(kc, namespace, 120_000));

    const nodeZones = new Map(specs.map((s) => [s.name, s.zone]));
    const poweredOff = new Set<string>();
    const leases = kc.makeApiClient(CoordinationV1Api);
    const patchLease = async (name: string, spec: Record<string, unknown>): Promise<void> => {
      await leases.patchNamespacedLease(
        { name, namespace: 'kube-node-lease', body: { spec } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    };
    /** The node's zone; an unknown node is bad input naming the sandbox's nodes. */
    const zoneOf = (name: string): string => {
      const zone = nodeZones.get(name);
      if (zone === undefined) throw new SandboxTargetError('node', name, [...nodeZones.keys()]);
      return zone;
    };
    const nodesIn = (zone: string): string[] => {
      const names = [...nodeZones].filter(([, z]) => z === zone).map(([n]) => n);
      if (names.length === 0) {
        throw new SandboxTargetError('zone', zone, [...new Set(nodeZones.values())].sort());
      }
      return names;
    };
    const failNode = async (name: string): Promise<NodePowerLoss> => {
      const zone = zoneOf(name);
      // Instances first: a power loss takes the processes before anyone notices.
      const stoppedInstances = await dataPlane.failNode(name);
      poweredOff.add(name);
      await patchLease(name, {
        holderIdentity: POWER_LOSS_LEASE_HOLDER,
        leaseDurationSeconds: POWER_LOSS_LEASE_SECONDS,
        renewTime: microTime(new Date()),
      });
      return { node: name, zone, stoppedInstances };
    };
    const restoreNode = async (name: string): Promise<NodeRestore> => {
      const zone = zoneOf(name);
      // A node that has power is left alone: expiring its Lease would interrupt its heartbeat.
      if (!poweredOff.has(name)) return { node: name, zone, restored: false };
      // An expired Lease: KWOK acquires it on its next try and heartbeats the node again.
      await patchLease(name, {
        leaseDurationSeconds: SANDBOX_TIMINGS.nodeLeaseDurationSeconds,
        renewTime: microTime(new Date(Date.now() - 3600_000)),
      });
      poweredOff.delete(name);
      dataPlane.restoreNode(name);
      return { node: name, zone, restored: true };
    };

    const sandbox: Sandbox = {
      dir,
      controlPlane,
      kwok,
      database,
      dataPlane,
      router,
      metrics,
      cpuSampler,
      aws,
      awsState,
      awsOutputs,
      awsAccount,
      namespace,
      get nodes(): SandboxNodeInfo[] {
        return specs.map((s) => ({
          name: s.name,
          zone: s.zone,
          poweredOff: poweredOff.has(s.name),
        }));
      },
      zones(): SandboxZoneInfo[] {
        return [...new Set(specs.map((s) => s.zone))].sort().map((zone) => {
          const nodes = nodesIn(zone);
          return { zone, nodes, poweredOff: nodes.filter((n) => poweredOff.has(n)) };
        });
      },
      serviceUrl(component) {
        const url = router.url(namespace, `${SANDBOX_RELEASE}-${component}`);
        if (url === undefined)
          throw new Error(`no route for ${namespace}/${SANDBOX_RELEASE}-${component}`);
        return url;
      },
      failNode,
      restoreNode,
      async failZone(zone) {
        const nodes = nodesIn(zone);
        const stoppedInstances: string[] = [];
        for (const name of nodes) stoppedInstances.push(...(await failNode(name)).stoppedInstances);
        return { zone, nodes, stoppedInstances };
      },
      async restoreZone(zone) {
        const restored: string[] = [];
        for (const name of nodesIn(zone)) {
          if ((await restoreNode(name)).restored) restored.push(name);
        }
        return { zone, restored };
      },
      databaseTopology: () => database.topology(),
      failoverDatabase: () => database.failover(),
      rejoinStandby: () => database.rejoin(),
      stop: stopAll,
      [Symbol.asyncDispose]: stopAll,
    };
    return sandbox;
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
