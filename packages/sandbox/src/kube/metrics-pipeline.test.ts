import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ApiregistrationV1Api,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  KubeConfig,
  Metrics,
  PatchStrategy,
  type PodMetricsList,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
  type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { pollUntil } from '@stackproof/core';
import { ComponentStartError, resolveTool } from '@stackproof/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesReferencing } from '../lifecycle/residue.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { type CpuSample, type CpuSampler, startCpuSampler } from './cpu-sampler.ts';
import { probeGet } from './https-probe.ts';
import { type Kwok, startKwok } from './kwok.ts';
import { createKwokNodes, eksNodeGroup, waitForNodesReady } from './kwok-nodes.ts';
import {
  kwokMetricsOptions,
  type MetricsPipeline,
  metricsNodeAnnotations,
  metricsPipelineControlPlaneOptions,
  startMetricsPipeline,
} from './metrics-pipeline.ts';

// The whole pipeline with real processes: control plane, KWOK as the nodes' kubelets,
// metrics-server behind the aggregator, and CPU measured from real child processes (a busy
// loop and an idle one) by the sampler. Figures (latency, HPA reaction) are printed, not
// asserted: timings are measured, never asserted (docs/benchmarks.md).

const run = promisify(execFile);
const MARKER = `stackproof-metrics-pipeline-test-${process.pid}`;
// Bounded: even if the test dies, the busy loop ends by itself.
const BUSY = `const end = Date.now() + 300000; while (Date.now() < end) {} // ${MARKER}`;
const IDLE = `setTimeout(() => {}, 300000); // ${MARKER}`;
const HPA_SYNC_SECONDS = 5;

function startNode(script: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore', detached: true });
  if (child.pid === undefined) throw new Error('could not start a node child process');
  return child;
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('child has no pid');
  return child.pid;
}

/** millicores from a metrics API quantity ("912m", "1", "123456n"). */
function milliCpu(quantity: string | undefined): number {
  if (quantity === undefined) return Number.NaN;
  const m = /^(\d+(?:\.\d+)?)(n|u|m)?$/.exec(quantity);
  if (m === null) return Number.NaN;
  const value = Number(m[1]);
  const unit = m[2];
  return unit === 'n'
    ? value / 1e6
    : unit === 'u'
      ? value / 1e3
      : unit === 'm'
        ? value
        : value * 1000;
}

function utilization(hpa: V2HorizontalPodAutoscaler): number | undefined {
  return hpa.status?.currentMetrics?.[0]?.resource?.current.averageUtilization;
}

function seen(list: PodMetricsList, name: string): boolean {
  return list.items.some((p) => p.metadata.name === name);
}

function app(name: string, zone: string): { pod: V1Pod['spec']; labels: Record<string, string> } {
  return {
    labels: { app: name },
    pod: {
      nodeSelector: { 'topology.kubernetes.io/zone': zone },
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'app',
          // Never pulled: KWOK simulates the container; the CPU comes from the child processes.
          image: 'registry.invalid/stackproof/app:1.0.0',
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
      ],
    },
  };
}

function deployment(name: string, zone: string): V1Deployment {
  const { pod, labels } = app(name, zone);
  return {
    metadata: { name, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, ...(pod === undefined ? {} : { spec: pod }) },
    },
  };
}

function cpuHpa(name: string): V2HorizontalPodAutoscaler {
  return {
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 1,
      maxReplicas: 4,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ],
    },
  };
}

describe('metrics pipeline: KWOK kubelet metrics, metrics-server, aggregated API, HPA', () => {
  let scratch: string;
  let cp: ControlPlane;
  let kwok: Kwok;
  let pipeline: MetricsPipeline;
  let sampler: CpuSampler | undefined;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let hpas: AutoscalingV2Api;
  let metrics: Metrics;
  let busy: ChildProcess;
  let idle: ChildProcess;
  /** Idle, and killed halfway through: its pod's usage must drop to 0. */
  let doomed: ChildProcess;
  const kubectl = resolveTool('kubectl').path;
  const nodes = eksNodeGroup({ nodegroup: 'general', instanceType: 'm6i.large' }).map((n) => ({
    ...n,
    annotations: metricsNodeAnnotations(n.name),
  }));
  /** Which pods the sampler measures, and which process backs each. */
  let podProcesses: () => Promise<Map<string, number>> = async () => new Map();
  const samples: { at: number; sample: CpuSample }[] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'stackproof-metrics-pipeline-'));
    cp = await startControlPlane({
      workDir: join(scratch, 'cp'),
      withControllers: true,
      ...metricsPipelineControlPlaneOptions,
      horizontalPodAutoscalerSyncPeriodSeconds: HPA_SYNC_SECONDS,
    });
    kwok = await startKwok(cp, await kwokMetricsOptions(cp));
    await createKwokNodes(cp, nodes);
    await waitForNodesReady(
      cp,
      nodes.map((n) => n.name),
      120_000,
    );
    pipeline = await startMetricsPipeline(cp, kwok, {
      onProgress: (message) => console.log(`[metrics pipeline] ${message}`),
    });
    console.log(
      `metrics pipeline ready after ${pipeline.readyAfterMs} ms (resolution ${pipeline.metricResolutionSeconds} s)`,
    );
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    hpas = kc.makeApiClient(AutoscalingV2Api);
    metrics = new Metrics(kc);
    busy = startNode(BUSY);
    idle = startNode(IDLE);
    doomed = startNode(IDLE);
    sampler = await startCpuSampler(cp, {
      pods: () => podProcesses(),
      onSample: (sample) => samples.push({ at: Date.now(), sample }),
    });
    await pollUntil(
      () =>
        core
          .readNamespacedServiceAccount({ namespace: 'default', name: 'default' })
          .then(() => true),
      { what: 'the default ServiceAccount', timeoutMs: 60_000, intervalMs: 250 },
    );
  }, 420_000);

  afterAll(async () => {
    await sampler?.stop();
    for (const child of [busy, idle, doomed]) {
      try {
        if (child?.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await pipeline?.stop();
    await kwok?.stop();
    await cp?.stop();
    if (cp !== undefined) expect(await processesReferencing(cp.workDir)).toEqual([]);
    await pollUntil(
      async () => ((await processesReferencing(MARKER)).length === 0 ? true : undefined),
      { what: 'the busy and idle processes to exit', timeoutMs: 10_000 },
    );
    await rm(scratch, { recursive: true, force: true });
  }, 120_000);

  /** The first sample since `from` whose reading for `pod` satisfies `test` (millicores). */
  const firstSampleWhere = (from: number, pod: string, test: (milliCpu: number) => boolean) =>
    pollUntil(
      async () =>
        samples.find(
          (s) => s.at >= from && s.sample.usage.some((u) => u.pod === pod && test(u.milliCpu)),
        ),
      { what: `the sampler to write a new figure for ${pod}`, timeoutMs: 30_000, intervalMs: 100 },
    );

  /** Polls the metrics API until pod `name`'s CPU satisfies `test`. */
  /** Polls the metrics API until `test` holds for the pods' CPU (NaN: the pod is not listed). */
  const podMetricsWhere = (test: (cpu: (pod: string) => number) => boolean, what: string) =>
    pollUntil(
      async () => {
        const list = await metrics.getPodMetrics('default');
        const cpu = (pod: string): number =>
          milliCpu(list.items.find((p) => p.metadata.name === pod)?.containers[0]?.usage.cpu);
        return test(cpu) ? { at: Date.now(), cpu } : undefined;
      },
      { what, timeoutMs: 90_000, intervalMs: 250 },
    );

  const hpaWithMetrics = (name: string) =>
    pollUntil(
      async () => {
        const hpa = await hpas.readNamespacedHorizontalPodAutoscaler({
          namespace: 'default',
          name,
        });
        return utilization(hpa) === undefined ? undefined : hpa;
      },
      { what: `HPA ${name} to read its metrics`, timeoutMs: 120_000, intervalMs: 250 },
    );

  it('registers metrics-server as v1beta1.metrics.k8s.io with verified TLS and serves every node', async () => {
    const registration = new KubeConfig();
    registration.loadFromFile(cp.kubeconfigPath);
    const apiService = await registration
      .makeApiClient(ApiregistrationV1Api)
      .readAPIService({ name: 'v1beta1.metrics.k8s.io' });
    // Verified TLS: a CA bundle, and no skip (false is omitted from the stored object).
    expect(apiService.spec?.insecureSkipTLSVerify ?? false).toBe(false);
    expect(apiService.spec?.caBundle).toBeTruthy();
    expect(apiService.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');

    const nodeMetrics = await metrics.getNodeMetrics();
    expect(nodeMetrics.items.map((n) => n.metadata.name).sort()).toEqual(
      nodes.map((n) => n.name).sort(),
    );
    const { stdout } = await run(
      kubectl,
      [`--kubeconfig=${cp.kubeconfigPath}`, 'top', 'node', '--no-headers'],
      {
        timeout: 30_000,
      },
    );
    expect(stdout.trim().split('\n')).toHaveLength(nodes.length);

    // Negative twin: metrics-server itself refuses a caller that is neither the front proxy
    // nor an authenticated user.
    const anonymous = await probeGet(`${pipeline.url}/apis/metrics.k8s.io/v1beta1/nodes`, {
      caFile: cp.pki.ca.cert,
    });
    expect([401, 403]).toContain(anonymous.status);
  }, 60_000);

  it('reports the measured CPU of a busy instance, and near zero for an idle one', async () => {
    for (const [name, zone] of [
      ['busy', 'me-central-1a'],
      ['idle', 'me-central-1b'],
      ['gone', 'me-central-1c'],
    ] as const) {
      const { pod, labels } = app(name, zone);
      await core.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name, labels }, ...(pod === undefined ? {} : { spec: pod }) },
      });
    }
    await pollUntil(
      async () => {
        const list = await core.listNamespacedPod({ namespace: 'default' });
        const running = list.items.filter((p) => p.status?.phase === 'Running').length;
        return running >= 3 ? true : undefined;
      },
      { what: 'pods busy, idle and gone to run', timeoutMs: 90_000, intervalMs: 250 },
    );
    const fedFrom = Date.now();
    podProcesses = async () =>
      new Map([
        ['default/busy', pidOf(busy)],
        ['default/idle', pidOf(idle)],
        ['default/gone', pidOf(doomed)],
      ]);
    const firstSample = await firstSampleWhere(fedFrom, 'default/busy', (m) => m > 100);
    // A new pod is listed after two scrapes; wait until both are, so the idle figure is a reading.
    const seen = await podMetricsWhere(
      (cpu) => cpu('busy') > 100 && !Number.isNaN(cpu('idle')),
      'the busy pod to show as busy and the idle pod to be listed',
    );
    console.log(
      `busy pod ${seen.cpu('busy').toFixed(0)}m, idle pod ${seen.cpu('idle').toFixed(0)}m; ` +
        `new pod listed by the metrics API ${seen.at - firstSample.at} ms after its first sample ` +
        '(metrics-server needs two scrapes of a new container)',
    );
    expect(seen.cpu('busy')).toBeGreaterThan(100);
    // Negative twin: the idle instance is listed, at (nearly) nothing.
    expect(seen.cpu('idle')).toBeLessThan(50);

    const { stdout } = await run(
      kubectl,
      [`--kubeconfig=${cp.kubeconfigPath}`, 'top', 'pod', '-n', 'default', '--no-headers'],
      { timeout: 30_000 },
    );
    const rows = new Map(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .map(([name, cpu]) => [name, milliCpu(cpu)] as const),
    );
    console.log(`kubectl top pod:\n${stdout.trimEnd()}`);
    expect(rows.get('busy')).toBeGreaterThan(100);
    expect(rows.get('idle')).toBeLessThan(50);
  }, 150_000);

  it('follows a change of usage within a sample and a scrape, and drops a pod whose process exited', async () => {
    // The idle pod's instance becomes the busy process: usage rises.
    const upFrom = Date.now();
    podProcesses = async () =>
      new Map([
        ['default/busy', pidOf(busy)],
        ['default/idle', pidOf(busy)],
        ['default/gone', pidOf(doomed)],
      ]);
    const upWritten = await firstSampleWhere(upFrom, 'default/idle', (m) => m > 100);
    const upSeen = await podMetricsWhere(
      (cpu) => cpu('idle') > 100,
      'the idle pod to show the rise',
    );
    // ...and falls back.
    const downFrom = Date.now();
    podProcesses = async () =>
      new Map([
        ['default/busy', pidOf(busy)],
        ['default/idle', pidOf(idle)],
        ['default/gone', pidOf(doomed)],
      ]);
    const downWritten = await firstSampleWhere(downFrom, 'default/idle', (m) => m < 50);
    const downSeen = await podMetricsWhere(
      (cpu) => cpu('idle') < 50,
      'the idle pod to show the fall',
    );
    console.log(
      `usage change to metrics API: rise ${upSeen.at - upWritten.at} ms, fall ${downSeen.at - downWritten.at} ms ` +
        `after the sampler wrote it (sample interval 2 s, metric resolution ${pipeline.metricResolutionSeconds} s)`,
    );
    expect(upSeen.cpu('idle')).toBeGreaterThan(100);
    expect(downSeen.cpu('idle')).toBeLessThan(50);

    // The process behind 'gone' exits: usage 0, and metrics-server leaves the pod out, as it
    // leaves out a container that is not running. The busy pod stays listed.
    expect(seen(await metrics.getPodMetrics('default'), 'gone')).toBe(true);
    process.kill(-pidOf(doomed), 'SIGKILL');
    const goneAt = Date.now();
    await pollUntil(
      async () => {
        const annotations = (await core.readNamespacedPod({ namespace: 'default', name: 'gone' }))
          .metadata?.annotations;
        return annotations?.['kwok.x-k8s.io/usage-cpu'] === '0' ? true : undefined;
      },
      { what: 'the sampler to write 0 for pod gone', timeoutMs: 30_000, intervalMs: 250 },
    );
    const dropped = await pollUntil(
      async () => {
        const list = await metrics.getPodMetrics('default');
        return seen(list, 'gone') ? undefined : list;
      },
      { what: 'the metrics API to drop pod gone', timeoutMs: 60_000, intervalMs: 250 },
    );
    console.log(`pod gone left the metrics API ${Date.now() - goneAt} ms after its process exited`);
    expect(seen(dropped, 'busy')).toBe(true);
  }, 180_000);

  it('makes an HPA scale out a Deployment when its pods turn hot, and not one whose pods idle', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('hot', 'me-central-1c'),
    });
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('cold', 'me-central-1c'),
    });
    await hpas.createNamespacedHorizontalPodAutoscaler({
      namespace: 'default',
      body: cpuHpa('hot'),
    });
    await hpas.createNamespacedHorizontalPodAutoscaler({
      namespace: 'default',
      body: cpuHpa('cold'),
    });
    // Every Running pod of a Deployment is backed by one of the two processes (standing in for
    // the real instance the data plane runs per pod): 'hot' by the idle one at first.
    let hotPid = pidOf(idle);
    podProcesses = async () => {
      const list = await core.listNamespacedPod({ namespace: 'default' });
      const map = new Map<string, number>();
      for (const pod of list.items) {
        if (pod.status?.phase !== 'Running') continue;
        const key = `default/${pod.metadata?.name}`;
        const label = pod.metadata?.labels?.app;
        if (label === 'hot') map.set(key, hotPid);
        if (label === 'cold' || label === 'idle') map.set(key, pidOf(idle));
        if (label === 'busy') map.set(key, pidOf(busy));
      }
      return map;
    };
    // Both HPAs read their metrics and keep one replica while everything idles.
    for (const name of ['hot', 'cold']) {
      const hpa = await hpaWithMetrics(name);
      console.log(
        `HPA ${name} while idle: desiredReplicas ${hpa.status?.desiredReplicas} at ${utilization(hpa)}% CPU`,
      );
      expect(hpa.status?.desiredReplicas).toBe(1);
      expect(utilization(hpa)).toBeLessThan(50);
    }

    // Load arrives at 'hot'.
    const heatFrom = Date.now();
    hotPid = pidOf(busy);
    const firstHot = await pollUntil(
      async () =>
        samples.find(
          (s) =>
            s.at >= heatFrom &&
            s.sample.usage.some((u) => u.pod.startsWith('default/hot-') && u.milliCpu > 100),
        ),
      { what: 'the sampler to feed the hot pod', timeoutMs: 30_000, intervalMs: 100 },
    );
    const scaled = await pollUntil(
      async () => {
        const hpa = await hpas.readNamespacedHorizontalPodAutoscaler({
          namespace: 'default',
          name: 'hot',
        });
        return (hpa.status?.desiredReplicas ?? 0) > 1 ? { at: Date.now(), hpa } : undefined;
      },
      { what: 'HPA hot to want more replicas', timeoutMs: 120_000, intervalMs: 250 },
    );
    console.log(
      `HPA hot: desiredReplicas ${scaled.hpa.status?.desiredReplicas} at ${utilization(scaled.hpa)}% CPU, ` +
        `${scaled.at - firstHot.at} ms after the sampler first wrote hot usage ` +
        `(HPA sync period ${HPA_SYNC_SECONDS} s, metric resolution ${pipeline.metricResolutionSeconds} s)`,
    );
    expect(scaled.hpa.status?.desiredReplicas).toBeGreaterThan(1);
    expect(utilization(scaled.hpa)).toBeGreaterThan(50);
    await pollUntil(
      async () => {
        const d = await apps.readNamespacedDeployment({ namespace: 'default', name: 'hot' });
        return (d.spec?.replicas ?? 0) > 1 ? true : undefined;
      },
      { what: 'deployment hot to be scaled out', timeoutMs: 30_000, intervalMs: 250 },
    );

    // Negative twin: 'cold' kept idling and keeps one replica.
    const cold = await hpas.readNamespacedHorizontalPodAutoscaler({
      namespace: 'default',
      name: 'cold',
    });
    expect(cold.status?.desiredReplicas).toBe(1);
    expect(utilization(cold)).toBeLessThan(50);
  }, 300_000);

  it('stops metrics-server, unregisters the APIService and leaves no process', async () => {
    await sampler?.stop();
    const pid = pipeline.pid;
    await pipeline.stop();
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    const registration = new KubeConfig();
    registration.loadFromFile(cp.kubeconfigPath);
    const error = await registration
      .makeApiClient(ApiregistrationV1Api)
      .readAPIService({ name: 'v1beta1.metrics.k8s.io' })
      .catch((e: unknown) => e);
    expect((error as { code?: number }).code).toBe(404);
  }, 60_000);
});

describe('metrics pipeline wiring mistakes', () => {
  let scratch: string;
  let cp: ControlPlane;
  let core: CoreV1Api;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'stackproof-metrics-wiring-'));
    // Default aggregator routing (endpoints): the APIService cannot be reached.
    cp = await startControlPlane({ workDir: join(scratch, 'cp') });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  }, 300_000);

  afterAll(async () => {
    await cp?.stop();
    if (cp !== undefined) expect(await processesReferencing(cp.workDir)).toEqual([]);
    await rm(scratch, { recursive: true, force: true });
  }, 60_000);

  const startError = (kwok: Kwok) =>
    startMetricsPipeline(cp, kwok, { nodes: ['plain-0'], timeoutMs: 60_000 }).then(
      async (pipeline) => {
        await pipeline.stop();
        throw new Error('the pipeline started although it is miswired');
      },
      (error: unknown) => error as ComponentStartError,
    );

  it('names each miswired component, and leaves no metrics-server or APIService behind', async () => {
    const [spec] = eksNodeGroup({
      nodegroup: 'plain',
      instanceType: 't3.medium',
      zones: ['me-central-1a'],
    });
    if (spec === undefined) throw new Error('no node spec');
    await createKwokNodes(cp, [{ ...spec, name: 'plain-0' }]);

    {
      await using kwok = await startKwok(cp);
      await waitForNodesReady(cp, ['plain-0'], 120_000);
      // A node without the resource-metrics-path annotation.
      const missingAnnotation = await startError(kwok);
      expect(missingAnnotation).toBeInstanceOf(ComponentStartError);
      expect(missingAnnotation.message).toMatch(
        /plain-0 lacks the annotation .*metricsNodeAnnotations/,
      );

      // KWOK without kwokMetricsOptions: no metrics, and no certificate from the sandbox CA.
      await core.patchNode(
        { name: 'plain-0', body: { metadata: { annotations: metricsNodeAnnotations('plain-0') } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const plainKwok = await startError(kwok);
      expect(plainKwok.component).toBe('kwok');
      expect(plainKwok.message).toMatch(/kwokMetricsOptions/);
    }

    // KWOK is right, the control plane's aggregator routing is not.
    await using kwok = await startKwok(cp, await kwokMetricsOptions(cp));
    const routing = await startError(kwok);
    console.log(routing.message.split('\n')[0]);
    expect(routing.component).toBe('metrics-server');
    expect(routing.logFile).toMatch(/kube-apiserver\.log$/);
    expect(routing.message).toMatch(/ExternalName.*metricsPipelineControlPlaneOptions/s);
    expect(
      await processesReferencing(join(cp.workDir, 'metrics-pki', 'metrics-server.kubeconfig')),
    ).toEqual([]);
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const lookup = await kc
      .makeApiClient(ApiregistrationV1Api)
      .readAPIService({ name: 'v1beta1.metrics.k8s.io' })
      .catch((e: unknown) => e);
    expect((lookup as { code?: number }).code).toBe(404);
  }, 240_000);
});
