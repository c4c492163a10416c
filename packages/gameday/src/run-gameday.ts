import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import {
  type ChaosRunResult,
  type ChaosStack,
  type ChaosTimeline,
  pendingRollbacks,
  readJournal,
  runChaosExperiment,
} from '@stackproof/chaos';
import {
  type EvidenceEvent,
  ExpectationsError,
  evidence,
  readExpectationsFile,
  repoPath,
  StackproofError,
} from '@stackproof/core';
import { openLiveTarget, runLiveChecks } from '@stackproof/infra-tests';
import { parseLoadExpectations, runLoad, type Timeline } from '@stackproof/load';
import { type PolicyReport, runPolicyCheck } from '@stackproof/policies';
import { writeReportFile } from '@stackproof/report';
import { SandboxClient } from '@stackproof/sandbox/client';
import { runTool } from '@stackproof/toolchain';
import { parseGameDayExpectations } from './gameday-expectations.ts';
import { rebalanceSkewedDeployments } from './rebalance.ts';

/** The stages, in order. Each one's evidence is joined by property id in the report. */
export const STAGES = [
  'preflight',
  'scale-out',
  'outage',
  'recovery',
  'live-after',
  'rollback',
] as const;
export type StageName = (typeof STAGES)[number];

/** Stages a run may leave out (`--skip`): never the gate, the outage or the rollback. */
export const SKIPPABLE_STAGES: readonly StageName[] = ['scale-out', 'live-after'];

export interface StageResult {
  readonly name: StageName;
  /** pass, fail, or skipped (left out with --skip, or not run after a stop: `detail` says which). */
  readonly status: 'pass' | 'fail' | 'skipped';
  readonly detail: string;
  readonly startedAt?: string;
  readonly seconds?: number;
  /** The number that matters in the stage (peak replicas, failed share, pending rollbacks). */
  readonly figure?: string;
}

/** One second of the game day on one clock: the scale-out's load and the outage's, side by side. */
export interface GameDayPoint {
  /** Unix seconds. */
  readonly t: number;
  readonly stage: StageName;
  readonly requests: number;
  readonly failed: number;
  readonly p95Ms: number | null;
  readonly replicasDesired: number | null;
  readonly replicasReady: number | null;
  readonly nodesReady: Readonly<Record<string, number>> | null;
  readonly endpoints: Readonly<Record<string, number>> | null;
  readonly sqlOk: boolean | null;
  readonly sqlMs: number | null;
}

export interface GameDayTimeline {
  readonly points: readonly GameDayPoint[];
  /** Stage windows (unix seconds). */
  readonly stages: readonly {
    readonly name: StageName;
    readonly from: number;
    readonly to: number;
  }[];
  /** Faults in effect (unix seconds), from the chaos journal's times. */
  readonly faults: readonly {
    readonly label: string;
    readonly from: number;
    readonly to: number;
  }[];
}

export interface GameDayResult {
  readonly passed: boolean;
  readonly target: string;
  readonly zone: string;
  readonly startedAt: string;
  readonly seconds: number;
  readonly stages: readonly StageResult[];
  /** Where the run stopped early and why (the stages after it were not run). */
  readonly stopped?: { readonly stage: StageName; readonly reason: string };
  /** Every evidence event of every stage; `data.stage` names the stage that produced it. */
  readonly evidence: readonly EvidenceEvent[];
  readonly timeline: GameDayTimeline;
  /** What the gate read: the plans given (none on a sandbox without plan fixtures) and the chart. */
  readonly gate: { readonly plans: readonly string[]; readonly chart: boolean };
  readonly outDir: string;
}

export interface GameDayOptions {
  readonly stack: ChaosStack;
  /** The stackproof version the gate's reports name (the CLI's). */
  readonly version: string;
  /** Terraform plans (`terraform show -json`) for the gate. */
  readonly plans?: readonly string[];
  /** Helm values files to render the workloads chart with for the gate (default: the sandbox's). */
  readonly chartValues?: readonly string[];
  readonly expectationsFile: string;
  /** The zone that loses power (default: the expectations' gameday.zone, else the database's). */
  readonly zone?: string;
  readonly outDir: string;
  /** Stages to leave out (SKIPPABLE_STAGES only); reported as skipped, never as passed. */
  readonly skip?: readonly StageName[];
  /** Off the sandbox: the URL the scale-out loads, the steady load's entry, the SQL probe's URL. */
  readonly loadTarget?: string;
  readonly steadyUrl?: string;
  readonly databaseUrl?: string;
  /** Added to chaos.allow. */
  readonly allow?: { readonly accounts?: readonly string[]; readonly contexts?: readonly string[] };
  /** The outage window over the expectations (a shortened run). */
  readonly outageSeconds?: number;
  /** SIGINT/SIGTERM: the outage rolls back; no later stage starts. */
  readonly signal?: AbortSignal;
  /** `stage elapsed figure: line`, as it happens. */
  readonly onProgress?: (line: string) => void;
}

/** A bad value in the game day's options (the CLI maps its flags onto them). */
export class GameDayInputError extends StackproofError {
  constructor(message: string) {
    super('GAMEDAY_INVALID', 'bad-input', message);
  }
}

const WORKLOADS_CHART = repoPath('charts', 'stackproof-workloads');
/** The kube version the chart is rendered for (its kubeVersion floor is 1.29). */
const RENDER_KUBE_VERSION = '1.31.0';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function tagged(events: readonly EvidenceEvent[], stage: StageName): EvidenceEvent[] {
  return events.map((e) => ({ ...e, data: { ...(e.data ?? {}), stage } }));
}

function gateEvidence(report: PolicyReport, stage: StageName): EvidenceEvent[] {
  return report.findings.map((f) =>
    evidence({
      property: f.rule,
      phase: 'plan',
      status: f.status,
      subject: `${basename(f.input)}: ${f.address}`,
      detail: f.message,
      ...(f.status === 'fail' ? { expected: f.remediation } : {}),
      data: { stage, input: f.input, severity: f.severity },
    }),
  );
}

/**
 * Runs the game day: preflight (the gate on the plans and the rendered chart, then the live
 * checks), the scale-out proof, an AZ outage under steady load with the database failover (chaos'
 * az-outage), recovery (chaos' detect/recover measures), the live checks again, and the rollback
 * and residue check. A failing gate stops the run before anything is injected: faults on a stack
 * that fails its own policy prove nothing. A live failure at preflight does not stop it: the
 * outage then measures what the broken property costs, which is what a game day is for.
 */
export async function runGameDay(options: GameDayOptions): Promise<GameDayResult> {
  const started = Date.now();
  const outDir = resolve(options.outDir);
  const skip = new Set(options.skip ?? []);
  for (const s of skip) {
    if (!SKIPPABLE_STAGES.includes(s)) {
      throw new GameDayInputError(
        `stage '${s}' cannot be skipped (only ${SKIPPABLE_STAGES.join(', ')})`,
      );
    }
  }
  const file = options.expectationsFile;
  const { config: common, warnings } = await readExpectationsFile(file);
  const parsed = parseGameDayExpectations(common.sections.gameday);
  if (parsed.config === undefined) throw new ExpectationsError(file, parsed.errors);
  const gameday = parsed.config;
  const load = parseLoadExpectations(common.sections.load, common);
  if (load.config === undefined) throw new ExpectationsError(file, load.errors);
  const loadExpectations = load.config;

  const sandbox =
    options.stack.kind === 'sandbox' ? await SandboxClient.connect(options.stack.dir) : undefined;
  const state = sandbox?.state;
  const outputsDir =
    options.stack.kind === 'sandbox' ? state?.outputsDir : options.stack.outputsDir;
  if (outputsDir === undefined) throw new GameDayInputError('the sandbox has no outputs directory');
  const loadTarget = options.loadTarget ?? state?.services.backend;
  if (loadTarget === undefined && !skip.has('scale-out')) {
    throw new GameDayInputError(
      'off the sandbox the scale-out needs --target URL (the entry point under load)',
    );
  }
  let zone = options.zone ?? gameday.zone;
  if (zone === undefined && sandbox !== undefined) {
    zone = (await sandbox.database()).primary.zone;
  }
  if (zone === undefined) {
    throw new GameDayInputError('no zone to lose: pass --zone Z (or set gameday.zone)');
  }
  const target =
    options.stack.kind === 'sandbox'
      ? `sandbox ${options.stack.dir}`
      : `AWS (${common.region}, outputs ${options.stack.outputsDir})`;

  const stages: StageResult[] = [];
  const allEvidence: EvidenceEvent[] = [];
  const windows: { name: StageName; from: number; to: number }[] = [];
  let stopped: GameDayResult['stopped'];
  let loadTimeline: Timeline | undefined;
  let chaos: Extract<ChaosRunResult, { dryRun: false }> | undefined;
  let stageName: StageName = 'preflight';
  let chartGated = false;
  let stageStart = Date.now();
  const progress = (line: string): void => {
    const elapsed = Math.round((Date.now() - started) / 1000);
    options.onProgress?.(`[${stageName} ${elapsed}s] ${line}`);
  };
  for (const w of warnings) progress(`warning: ${file}: ${w}`);
  for (const w of parsed.warnings) progress(`warning: ${file}: ${w}`);

  const begin = (name: StageName): void => {
    stageName = name;
    stageStart = Date.now();
    progress(`stage ${name}`);
  };
  const end = (
    result: Omit<StageResult, 'name' | 'startedAt' | 'seconds'>,
    events: readonly EvidenceEvent[] = [],
  ): void => {
    const now = Date.now();
    stages.push({
      name: stageName,
      ...result,
      startedAt: new Date(stageStart).toISOString(),
      seconds: Math.round((now - stageStart) / 100) / 10,
    });
    windows.push({ name: stageName, from: stageStart / 1000, to: now / 1000 });
    allEvidence.push(...tagged(events, stageName));
    progress(
      `${result.status.toUpperCase()} ${stageName}${result.figure === undefined ? '' : ` (${result.figure})`}: ${result.detail}`,
    );
  };
  const notRun = (name: StageName, why: string): void => {
    stages.push({ name, status: 'skipped', detail: why });
  };
  const interrupted = (): boolean => options.signal?.aborted === true;

  const kubeConfig = (): KubeConfig => {
    const kc = new KubeConfig();
    const file =
      state?.kubeconfig ?? (options.stack.kind === 'aws' ? options.stack.kubeconfig : undefined);
    if (file === undefined) kc.loadFromDefault();
    else kc.loadFromFile(file);
    if (options.stack.kind === 'aws' && options.stack.context !== undefined) {
      kc.setCurrentContext(options.stack.context);
    }
    return kc;
  };
  const liveChecks = async (): Promise<EvidenceEvent[]> => {
    await using live = await openLiveTarget({
      outputsDir,
      expectationsFile: file,
      ...(state !== undefined
        ? { kubeconfig: state.kubeconfig }
        : options.stack.kind === 'aws' && options.stack.kubeconfig !== undefined
          ? { kubeconfig: options.stack.kubeconfig }
          : {}),
      ...(options.stack.kind === 'aws' && options.stack.context !== undefined
        ? { context: options.stack.context }
        : {}),
      ...(state?.aws === undefined
        ? {}
        : {
            aws: {
              endpoint: state.aws.endpoint,
              credentials: {
                accessKeyId: state.aws.accessKeyId,
                secretAccessKey: state.aws.secretAccessKey,
              },
            },
            env: {},
          }),
    });
    for (const w of live.warnings) progress(`warning: ${w}`);
    const run = await runLiveChecks(live);
    return [...run.events];
  };
  const liveFigure = (events: readonly EvidenceEvent[]): string => {
    const failed = new Set(events.filter((e) => e.status === 'fail').map((e) => e.property));
    return `${failed.size} propert${failed.size === 1 ? 'y' : 'ies'} failing`;
  };

  // ---- preflight: the gate on plans and the rendered chart, then the live checks
  begin('preflight');
  {
    const gateEvents: EvidenceEvent[] = [];
    const blocking: string[] = [];
    const gate = async (input: string, label: string): Promise<void> => {
      const report = await runPolicyCheck({ target: input, version: options.version });
      await writeReportFile(
        join(outDir, 'preflight', `gate-${label}.json`),
        `${JSON.stringify(report, null, 2)}\n`,
      );
      gateEvents.push(...gateEvidence(report, 'preflight'));
      progress(
        `gate on ${label}: ${report.summary.fail} failed, ${report.summary.blocking} blocking, ${report.summary.pass} passed`,
      );
      if (!report.summary.passed) {
        const ids = [
          ...new Set(report.findings.filter((f) => f.status === 'fail').map((f) => f.rule)),
        ];
        blocking.push(`${label}: ${ids.join(', ')}`);
      }
    };
    try {
      for (const [i, plan] of (options.plans ?? []).entries()) {
        await gate(resolve(plan), `plan-${i + 1}-${basename(plan, '.json')}`);
      }
      const values =
        options.chartValues ??
        (options.stack.kind === 'sandbox'
          ? (await readdir(options.stack.dir))
              .filter((f) => f.endsWith('-values.json'))
              .map((f) => join(options.stack.kind === 'sandbox' ? options.stack.dir : '', f))
          : []);
      const rendered = join(outDir, 'preflight', 'rendered-chart.yaml');
      const helm = await runTool(
        'helm',
        [
          'template',
          'stackproof',
          WORKLOADS_CHART,
          `--namespace=${common.namespaces[0] ?? 'stackproof'}`,
          `--kube-version=${RENDER_KUBE_VERSION}`,
          ...values.map((v) => `--values=${v}`),
        ],
        { timeoutMs: 60_000 },
      );
      if (helm.exitCode !== 0) {
        throw new GameDayInputError(
          `helm template of the workloads chart failed: ${helm.stderr.trim()}`,
        );
      }
      await writeReportFile(rendered, helm.stdout);
      await gate(rendered, 'chart');
      chartGated = true;
      if (blocking.length > 0) {
        end(
          {
            status: 'fail',
            detail: `the policy gate failed (${blocking.join('; ')}); nothing was injected`,
            figure: `${blocking.length} input(s) failing`,
          },
          gateEvents,
        );
        stopped = {
          stage: 'preflight',
          reason: `the policy gate failed on ${blocking.join('; ')}: faults on a stack that fails its own policy prove nothing`,
        };
      } else {
        const live = await liveChecks();
        await writeReportFile(
          join(outDir, 'preflight', 'live.json'),
          `${JSON.stringify(live, null, 2)}\n`,
        );
        const failing = live.filter((e) => e.status === 'fail');
        end(
          {
            status: failing.length === 0 ? 'pass' : 'fail',
            detail:
              failing.length === 0
                ? 'the gate passed every input; every live check passed'
                : `the gate passed; live checks failing: ${[...new Set(failing.map((e) => e.property))].join(', ')} (the outage measures what that costs)`,
            figure: liveFigure(live),
          },
          [...gateEvents, ...live],
        );
      }
    } catch (error) {
      if (error instanceof StackproofError && error.kind === 'bad-input') throw error;
      end({ status: 'fail', detail: `preflight could not run: ${messageOf(error)}` }, gateEvents);
      stopped = { stage: 'preflight', reason: `preflight could not run: ${messageOf(error)}` };
    }
  }

  // ---- the scale-out proof
  if (stopped === undefined && interrupted()) {
    stopped = { stage: 'preflight', reason: 'interrupted before the scale-out' };
  }
  if (stopped !== undefined) notRun('scale-out', `not run: stopped at ${stopped.stage}`);
  else if (skip.has('scale-out')) notRun('scale-out', 'skipped (--skip scale-out)');
  else {
    begin('scale-out');
    try {
      const out = join(outDir, 'scale-out');
      const kubeconfig =
        state?.kubeconfig ?? (options.stack.kind === 'aws' ? options.stack.kubeconfig : undefined);
      const { summary } = await runLoad({
        scenario: 'scale-out',
        target: loadTarget as string,
        hpa: loadExpectations.hpa,
        ...(kubeconfig === undefined ? {} : { kubeconfig }),
        expectations: loadExpectations,
        overrides: gameday.scaleOut,
        outDir: out,
        onProgress: (_line, s) =>
          progress(
            `replicas desired ${s.desired ?? '—'} ready ${s.ready ?? '—'}; ${s.requestsPerSecond} req/s, p95 ${s.p95Ms ?? '—'} ms (${s.phase ?? '—'} ${s.elapsedSeconds}/${s.totalSeconds} s)`,
          ),
      });
      loadTimeline = JSON.parse(await readFile(join(out, 'timeline.json'), 'utf8')) as Timeline;
      end(
        {
          status: summary.passed ? 'pass' : 'fail',
          detail: summary.passed
            ? `the HPA scaled out and back within every bound (${summary.requests.total} requests)`
            : `the scale-out contract broke: ${summary.failures.join('; ')}`,
          figure: `peak replicas desired ${summary.timings?.peakDesired ?? '—'}, ready ${summary.timings?.peakReady ?? '—'}`,
        },
        summary.evidence,
      );
    } catch (error) {
      if (error instanceof StackproofError && error.kind === 'bad-input') throw error;
      end({ status: 'fail', detail: `the scale-out could not run: ${messageOf(error)}` });
    }
  }

  // ---- the AZ outage under steady load, with the database failover; recovery
  if (stopped === undefined && interrupted()) {
    stopped = { stage: 'scale-out', reason: 'interrupted before the outage' };
  }
  if (stopped !== undefined) {
    notRun('outage', `not run: stopped at ${stopped.stage}`);
    notRun('recovery', `not run: stopped at ${stopped.stage}`);
  } else {
    begin('outage');
    try {
      const result = await runChaosExperiment({
        request: { experiment: 'az-outage', zones: [zone] },
        stack: options.stack,
        expectationsFile: file,
        outDir: join(outDir, 'outage'),
        overrides: {
          ...gameday.outage,
          ...(options.outageSeconds === undefined ? {} : { faultSeconds: options.outageSeconds }),
        },
        ...(options.allow === undefined ? {} : { allow: options.allow }),
        ...(options.steadyUrl === undefined ? {} : { steadyUrl: options.steadyUrl }),
        ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onProgress: progress,
      });
      if (result.dryRun) throw new Error('the outage ran as a dry run');
      chaos = result;
      const s = result.summary;
      // An outage cut short (interrupted, aborted) measured no recovery: its measures stay with it.
      const isRecovery = (e: EvidenceEvent): boolean =>
        e.check === 'time-to-recover' && s.outcome === 'completed';
      const outageEvents = s.evidence.filter((e) => !isRecovery(e));
      const failedShare =
        s.timings.failedShare === undefined
          ? 'error rate —'
          : `error rate ${(s.timings.failedShare * 100).toFixed(1)}%`;
      const outageFailed = outageEvents.filter((e) => e.status === 'fail');
      end(
        {
          status: s.outcome === 'completed' && outageFailed.length === 0 ? 'pass' : 'fail',
          detail:
            s.outcome !== 'completed'
              ? `the outage was ${s.outcome}: ${s.reason ?? ''}`
              : outageFailed.length === 0
                ? `${s.description}: the stack served within its bounds`
                : `bounds broke: ${outageFailed.map((e) => `${e.property} ${e.check ?? ''}`).join(', ')}`,
          figure: failedShare,
        },
        outageEvents,
      );
      if (s.outcome !== 'completed') {
        notRun('recovery', `not judged: the outage was ${s.outcome}`);
        stopped = { stage: 'outage', reason: `the outage was ${s.outcome}: ${s.reason ?? ''}` };
      }
    } catch (error) {
      if (error instanceof StackproofError && error.kind === 'bad-input') throw error;
      end({ status: 'fail', detail: `the outage could not run: ${messageOf(error)}` });
      notRun('recovery', 'not run: the outage could not run');
      stopped = { stage: 'outage', reason: `the outage could not run: ${messageOf(error)}` };
    }
  }

  // ---- recovery: chaos' recovery measures, then the zones rebalanced
  if (chaos !== undefined && stopped === undefined) {
    const s = chaos.summary;
    const recoveryEvents = s.evidence.filter((e) => e.check === 'time-to-recover');
    {
      begin('recovery');
      const notRecovered = recoveryEvents.filter((e) => e.status !== 'pass');
      let rebalanced = '';
      let rebalanceFailed = false;
      if (s.outcome === 'completed') {
        try {
          const r = await rebalanceSkewedDeployments(kubeConfig(), common.namespaces, {
            timeoutMs: 300_000,
            progress,
          });
          const keys = Object.keys(r.restarted);
          const show = (zones: Readonly<Record<string, number>> | undefined): string =>
            Object.entries(zones ?? {})
              .map(([z, n]) => `${z} ${n}`)
              .join(', ');
          rebalanced =
            keys.length === 0
              ? '; no Deployment was left skewed across zones'
              : `; rebalanced (rolling restart, the descheduler's job on a real cluster): ${keys
                  .map((k) => `${k} ${show(r.restarted[k])} → ${show(r.after[k])}`)
                  .join('; ')}`;
        } catch (error) {
          rebalanceFailed = true;
          rebalanced = `; the rebalance did not finish: ${messageOf(error)}`;
        }
      }
      end(
        {
          status:
            recoveryEvents.length > 0 &&
            notRecovered.length === 0 &&
            s.outcome === 'completed' &&
            !rebalanceFailed
              ? 'pass'
              : 'fail',
          detail: `${
            recoveryEvents.length === 0
              ? `no recovery was measured (the outage ${s.outcome})`
              : notRecovered.length === 0
                ? 'the stack recovered within its bound'
                : `not recovered in time: ${notRecovered.map((e) => `${e.property} (${e.detail})`).join('; ')}`
          }${rebalanced}`,
          figure: `recovered ${s.timings.recoveredAfterSeconds ?? '—'} s after t0`,
        },
        recoveryEvents,
      );
    }
  }

  // ---- the live checks again
  if (stopped !== undefined) notRun('live-after', `not run: stopped at ${stopped.stage}`);
  else if (skip.has('live-after')) notRun('live-after', 'skipped (--skip live-after)');
  else {
    begin('live-after');
    try {
      const live = await liveChecks();
      const failing = live.filter((e) => e.status === 'fail');
      end(
        {
          status: failing.length === 0 ? 'pass' : 'fail',
          detail:
            failing.length === 0
              ? 'every live check passed after the outage'
              : `failing after the outage: ${[...new Set(failing.map((e) => e.property))].join(', ')}`,
          figure: liveFigure(live),
        },
        live,
      );
    } catch (error) {
      end({ status: 'fail', detail: `the live checks could not run: ${messageOf(error)}` });
    }
  }

  // ---- rollback and residue: from the run's own account and, independently, its journal
  if (chaos === undefined) {
    notRun('rollback', 'nothing was injected: nothing to roll back');
  } else {
    begin('rollback');
    const s = chaos.summary;
    const pending = pendingRollbacks(await readJournal(chaos.journal));
    const notRolledBack = s.faults.filter((f) => f.injected && !f.rolledBack);
    const ok = pending.length === 0 && notRolledBack.length === 0 && s.residue.length === 0;
    end(
      {
        status: ok ? 'pass' : 'fail',
        detail: ok
          ? `${s.faults.filter((f) => f.injected).length} fault(s) rolled back; the target holds no residue`
          : [
              ...notRolledBack.map((f) => `not rolled back: ${f.kind} on ${f.target}`),
              ...s.residue.map((r) => `residue: ${r.resource} (${r.detail})`),
              pending.length > 0
                ? `${pending.length} journal entr${pending.length === 1 ? 'y' : 'ies'} pending: run 'stackproof chaos recover --out ${join(outDir, 'outage')}'`
                : '',
            ]
              .filter(Boolean)
              .join('; '),
        figure: `pending rollbacks ${pending.length}`,
      },
      [],
    );
  }

  const timeline = buildGameDayTimeline(loadTimeline, chaos?.timeline, windows);
  const passed = stopped === undefined && stages.every((s) => s.status !== 'fail');
  return {
    passed,
    target,
    zone,
    startedAt: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    stages: STAGES.map((name) => stages.find((s) => s.name === name) as StageResult),
    ...(stopped === undefined ? {} : { stopped }),
    evidence: allEvidence,
    timeline,
    gate: { plans: (options.plans ?? []).map((p) => resolve(p)), chart: chartGated },
    outDir,
  };
}

function sum(record: Readonly<Record<string, number>>): number {
  return Object.values(record).reduce((a, b) => a + b, 0);
}

/** The scale-out's and the outage's seconds on one axis (the gap between them stays a gap). */
export function buildGameDayTimeline(
  load: Timeline | undefined,
  chaos: ChaosTimeline | undefined,
  stages: GameDayTimeline['stages'],
): GameDayTimeline {
  const points: GameDayPoint[] = [];
  for (const p of load?.points ?? []) {
    points.push({
      t: p.t,
      stage: 'scale-out',
      requests: p.requests,
      failed: p.failed,
      p95Ms: p.p95Ms,
      replicasDesired: p.desired,
      replicasReady: p.ready,
      nodesReady: null,
      endpoints: null,
      sqlOk: null,
      sqlMs: null,
    });
  }
  for (const p of chaos?.points ?? []) {
    points.push({
      t: p.t,
      stage: 'outage',
      requests: p.requests,
      failed: p.failed,
      p95Ms: p.p95Ms,
      replicasDesired: null,
      replicasReady: sum(p.replicasReady),
      nodesReady: p.nodesReady,
      endpoints: p.endpoints,
      sqlOk: p.sqlOk,
      sqlMs: p.sqlMs,
    });
  }
  points.sort((a, b) => a.t - b.t);
  const injected = (chaos?.faults ?? []).filter((f) => f.injectedAt !== undefined);
  const faults =
    injected.length === 0 || chaos === undefined
      ? []
      : [
          {
            label: `faults in effect: ${[...new Set(injected.map((f) => f.kind))].join(', ')}`,
            from: Math.min(...injected.map((f) => f.journaledAt)) / 1000,
            to:
              Math.max(
                ...injected.map((f) => f.rolledBackAt ?? f.rollbackStartedAt ?? chaos.endMs),
              ) / 1000,
          },
        ];
  return { points, stages, faults };
}
