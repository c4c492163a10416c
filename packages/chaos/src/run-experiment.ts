import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeNetworkAclsCommand } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  type EvidenceEvent,
  ExpectationsError,
  evidence,
  PROPERTIES,
  readExpectationsFile,
  StackproofError,
} from '@stackproof/core';
import {
  LIVE_CHECKS,
  liveWorkspaces,
  openLiveTarget,
  parseLiveExpectations,
  readStackOutputs,
  runLiveChecks,
} from '@stackproof/infra-tests';
import { parseLoadExpectations } from '@stackproof/load';
import { writeReportFile } from '@stackproof/report';
import {
  buildTimeline,
  type ChaosEvent,
  type ChaosTimeline,
  type FaultWindow,
  measureRun,
} from './analysis.ts';
import { type ChaosExpectations, parseChaosExpectations } from './chaos-expectations.ts';
import {
  type ChaosOutcome,
  type ChaosSummary,
  chaosJunit,
  chaosReportHtml,
} from './chaos-report.ts';
import { buildExperiment, type ExperimentRequest, type StackIds } from './experiments.ts';
import { AZ_BLACKHOLE_FAULT, type AzBlackholeRecord } from './faults/aws/az-blackhole.ts';
import type { FaultRecord, ResidueItem } from './faults/fault.ts';
import { injectJournaled, type JournaledInjection } from './faults/journaled.ts';
import { askResidue } from './faults/residue.ts';
import {
  ChaosGuardError,
  checkAllowList,
  checkBlastRadius,
  checkChaosTargetTags,
  checkJournalClear,
} from './guards.ts';
import type { TargetRef } from './journal.ts';
import { ClusterObserver } from './observe/cluster-observer.ts';
import { SqlProbe } from './observe/sql-probe.ts';
import { SteadyLoad } from './observe/steady-load.ts';
import { type ChaosTarget, openChaosTarget } from './target.ts';

/** Which stack a run acts on. */
export type ChaosStack =
  /** The local sandbox in `dir` (its moto, its cluster, its database stand-in). */
  | { readonly kind: 'sandbox'; readonly dir: string }
  /** A real account (SDK credential chain) and cluster; ids from `terraform output -json` files. */
  | {
      readonly kind: 'aws';
      readonly outputsDir: string;
      readonly kubeconfig?: string;
      readonly context?: string;
    };

/**
 * Points where a run can be held so that a test kills it there with SIGKILL (the crash tests):
 * after the first journal entry and before its injection, after every injection, and after the
 * first rollback before the next. Set by the CLI from STACKPROOF_CHAOS_HOLD_AT; never in a
 * normal run.
 */
export type HoldPoint = 'journaled' | 'injected' | 'rolling-back';
export const HOLD_POINTS: readonly HoldPoint[] = ['journaled', 'injected', 'rolling-back'];

export interface ChaosRunOptions {
  readonly request: Omit<ExperimentRequest, 'namespace'> & { readonly namespace?: string };
  readonly stack: ChaosStack;
  readonly expectationsFile: string;
  /** Reports and the journal (`journal.jsonl`, append-only across runs). */
  readonly outDir: string;
  /** Flags over the expectations' chaos section. */
  readonly overrides?: Partial<
    Pick<ChaosExpectations, 'faultSeconds' | 'baselineSeconds' | 'settleSeconds' | 'errorBudget'>
  > & { readonly rate?: number };
  /** Added to the expectations' allow-list. */
  readonly allow?: { readonly accounts?: readonly string[]; readonly contexts?: readonly string[] };
  /** The entry point under steady load, when not on the sandbox. */
  readonly steadyUrl?: string;
  /** The database endpoint the SQL probe uses (libpq URL); on the sandbox its own. */
  readonly databaseUrl?: string;
  /** Print the plan, change nothing. */
  readonly dryRun?: boolean;
  /** Ends the run early (SIGINT, SIGTERM, a game day's own stop): everything is rolled back. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
  readonly holdAt?: HoldPoint;
  readonly k6Path?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** What a dry run prints: exactly what a run would do. */
export interface ChaosPlan {
  readonly experiment: string;
  readonly description: string;
  readonly where: TargetRef;
  readonly account: string;
  readonly context: string;
  readonly zones: readonly string[];
  readonly faults: readonly {
    readonly kind: string;
    readonly target: string;
    readonly record: FaultRecord;
  }[];
  readonly steady: { readonly url: string; readonly path: string; readonly rate: number };
  readonly databaseProbe: boolean;
  readonly seconds: { readonly baseline: number; readonly fault: number; readonly settle: number };
  readonly journal: string;
}

export type ChaosRunResult =
  | { readonly dryRun: true; readonly plan: ChaosPlan }
  | {
      readonly dryRun: false;
      readonly plan: ChaosPlan;
      readonly summary: ChaosSummary;
      readonly timeline: ChaosTimeline;
      readonly evidence: readonly EvidenceEvent[];
      readonly journal: string;
      readonly outDir: string;
    };

/** A value the run needs is missing (a URL off the sandbox, a Service that is not routed). */
export class ChaosRunInputError extends StackproofError {
  constructor(message: string) {
    super('CHAOS_RUN_INVALID', 'bad-input', message);
  }
}

const HOLD_MS = 10 * 60_000;
const RESIDUE_SETTLE_MS = 15_000;

const seconds = (ms: number): number => Math.round(ms / 10) / 100;
const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'error';

/** Properties the catalogue says the experiment exercises (the live checks before and after). */
function propertiesOf(experiment: string): string[] {
  return PROPERTIES.filter((p) => p.chaos?.experiments.includes(experiment) === true).map(
    (p) => p.id,
  );
}

/** Reads the NACLs of the blackhole's VPC during the fault: deny entries on the zone's only. */
async function blackholeContained(
  target: ChaosTarget,
  record: AzBlackholeRecord,
  property: string,
  subject: string,
): Promise<EvidenceEvent> {
  const acls =
    (
      await target.aws.ec2.send(
        new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [record.vpcId] }] }),
      )
    ).NetworkAcls ?? [];
  const denied = acls
    .filter((a) =>
      (a.Entries ?? []).some(
        (e) =>
          e.RuleNumber === record.ruleNumber &&
          e.RuleAction === 'deny' &&
          e.CidrBlock === '0.0.0.0/0',
      ),
    )
    .map((a) => a.NetworkAclId ?? '')
    .sort();
  const expected = [...record.networkAclIds].sort();
  const outside = denied.filter((id) => !expected.includes(id));
  const missing = expected.filter((id) => !denied.includes(id));
  const ok = outside.length === 0 && missing.length === 0 && expected.length > 0;
  return evidence({
    property,
    phase: 'chaos',
    status: ok ? 'pass' : 'fail',
    check: 'blackhole-one-zone',
    subject,
    detail: ok
      ? `deny-all entries on the ${expected.length} NACLs of ${record.availabilityZone} only; the other zones' NACLs untouched (read back from the target during the fault)`
      : `deny entries on ${denied.join(', ') || 'no NACL'}${outside.length > 0 ? `, outside ${record.availabilityZone}: ${outside.join(', ')}` : ''}${missing.length > 0 ? `; missing on ${missing.join(', ')}` : ''}`,
    ...(ok ? {} : { expected: `deny entries on exactly ${expected.join(', ')}` }),
    data: { networkAclIds: expected, denied },
  });
}

/**
 * Runs one chaos experiment end to end, and never leaves a fault behind without saying so:
 *
 * 1. refuses while the journal has pending entries, without the allow-list (account and kube
 *    context), for more than one zone, on resources without the chaos-target tag, or when the
 *    target already holds residue; a dry run stops after the plan;
 * 2. runs the live checks of the experiment's properties, starts the steady load (k6), the SQL
 *    probe and the cluster watches, and holds the baseline;
 * 3. injects each fault after its journal entry is synced to disk, holds the fault window, and
 *    rolls back early when the steady load spends the error budget (the stop condition) or the
 *    signal fires (SIGINT, SIGTERM);
 * 4. rolls every injected fault back in reverse order on every way out (a failed rollback is
 *    journaled and leaves the entry pending), asks the target for residue, settles, runs the
 *    live checks again, and writes journal.jsonl, timeline.json, evidence.jsonl, summary.json,
 *    junit.xml and report.html.
 *
 * A broken bound, a failed rollback, residue or an early end is a failed run (a result, not an
 * error); bad input and refusals are StackproofErrors.
 */
export async function runChaosExperiment(options: ChaosRunOptions): Promise<ChaosRunResult> {
  const progress = options.onProgress ?? (() => undefined);
  const env = options.env ?? process.env;
  const outDir = resolve(options.outDir);
  const journal = join(outDir, 'journal.jsonl');
  await mkdir(outDir, { recursive: true });

  const { config: common, warnings } = await readExpectationsFile(options.expectationsFile);
  for (const w of warnings) progress(`warning: ${options.expectationsFile}: ${w}`);
  const parsed = parseChaosExpectations(common.sections.chaos, common);
  if (parsed.config === undefined)
    throw new ExpectationsError(options.expectationsFile, parsed.errors);
  for (const w of parsed.warnings) progress(`warning: ${options.expectationsFile}: ${w}`);
  const o = options.overrides ?? {};
  const chaos: ChaosExpectations = {
    ...parsed.config,
    ...(o.faultSeconds === undefined ? {} : { faultSeconds: o.faultSeconds }),
    ...(o.baselineSeconds === undefined ? {} : { baselineSeconds: o.baselineSeconds }),
    ...(o.settleSeconds === undefined ? {} : { settleSeconds: o.settleSeconds }),
    ...(o.errorBudget === undefined ? {} : { errorBudget: o.errorBudget }),
    steady: { ...parsed.config.steady, ...(o.rate === undefined ? {} : { rate: o.rate }) },
  };
  const allow = {
    accounts: [...new Set([...chaos.allow.accounts, ...(options.allow?.accounts ?? [])])],
    contexts: [...new Set([...chaos.allow.contexts, ...(options.allow?.contexts ?? [])])],
  };
  const live = parseLiveExpectations(common.sections.live);
  if (live.config === undefined) throw new ExpectationsError(options.expectationsFile, live.errors);

  // Refused before anything is read or changed: more than one zone, or faults a crash left.
  const asked = [...new Set(options.request.zones ?? [])];
  if (asked.length > 1) {
    throw new ChaosGuardError(
      'blast-radius',
      `${options.request.experiment} was asked for ${asked.length} zones (${asked.join(', ')}); the blast radius is at most one zone`,
    );
  }
  await checkJournalClear(journal);

  const provisional: TargetRef =
    options.stack.kind === 'sandbox'
      ? { kind: 'sandbox', dir: resolve(options.stack.dir) }
      : {
          kind: 'aws',
          account: '',
          region: common.region,
          ...(options.stack.kubeconfig === undefined
            ? {}
            : { kubeconfig: resolve(options.stack.kubeconfig) }),
          ...(options.stack.context === undefined ? {} : { context: options.stack.context }),
        };
  await using target = await openChaosTarget(provisional, env);
  const account = (await target.aws.sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  const where: TargetRef = provisional.kind === 'aws' ? { ...provisional, account } : provisional;
  checkAllowList(allow, { account, context: target.kubeContext });

  const outputsDir =
    options.stack.kind === 'sandbox'
      ? (target.sandbox?.state.outputsDir ?? '')
      : options.stack.outputsDir;
  const outputs = await readStackOutputs(outputsDir, liveWorkspaces(live.config));
  const ws = live.config.workspaces;
  const ids: StackIds = {
    vpcId: outputs.string(ws.network, 'vpc_id'),
    clusterName: outputs.string(ws.cluster, 'cluster_name'),
    dbInstanceIdentifier: outputs.string(ws.database, 'db_instance_identifier'),
  };
  const namespace = options.request.namespace ?? common.namespaces[0] ?? 'default';
  const experiment = await buildExperiment(target, ids, { ...options.request, namespace });
  const plans: { kind: string; target: string; record: FaultRecord }[] = [];
  for (const fault of experiment.faults) {
    plans.push({ kind: fault.kind, target: fault.target, record: await fault.plan() });
  }
  const zones = checkBlastRadius(plans);
  await checkChaosTargetTags(target, plans);

  let steadyUrl: string;
  let databaseUrl: string | undefined =
    options.databaseUrl ?? (env.STACKPROOF_DATABASE_URL || undefined);
  if (target.sandbox !== undefined) {
    const { state } = target.sandbox;
    const routed = state.services[chaos.steady.service];
    if (routed === undefined) {
      throw new ChaosRunInputError(
        `the sandbox routes no Service '${chaos.steady.service}' (chaos.steady.service); it routes ${Object.keys(state.services).join(', ')}`,
      );
    }
    steadyUrl = options.steadyUrl ?? routed;
    databaseUrl ??= `postgresql://${state.database.user}:${encodeURIComponent(state.database.password)}@${state.database.host}:${state.database.port}/${state.database.name}`;
  } else {
    steadyUrl = options.steadyUrl ?? chaos.steady.url;
    if (steadyUrl === '') {
      throw new ChaosRunInputError(
        'no entry point for the steady load: pass --steady-url URL or set chaos.steady.url in the expectations',
      );
    }
  }
  const plan: ChaosPlan = {
    experiment: experiment.name,
    description: experiment.description,
    where,
    account,
    context: target.kubeContext,
    zones,
    faults: plans,
    steady: { url: steadyUrl, path: chaos.steady.path, rate: chaos.steady.rate },
    databaseProbe: databaseUrl !== undefined,
    seconds: {
      baseline: chaos.baselineSeconds,
      fault: chaos.faultSeconds,
      settle: chaos.settleSeconds,
    },
    journal,
  };
  if (options.dryRun === true) return { dryRun: true, plan };

  // A target that already holds what these faults would leave cannot be judged by them.
  const before = await askResidue(experiment.faults, 0);
  if (before.items.length > 0) {
    throw new ChaosGuardError(
      'residue-before',
      `the target already holds ${before.items.map((r) => `${r.resource} (${r.detail})`).join('; ')}: run 'stackproof chaos recover' or restore it by hand`,
    );
  }

  const subject = `${experiment.name} ${zones.join(', ') || experiment.description}`;
  const liveCalls: Record<string, number> = {};
  const liveChecks = async (when: 'before' | 'after'): Promise<EvidenceEvent[]> => {
    const properties = propertiesOf(experiment.name);
    const checks = LIVE_CHECKS.filter((c) => properties.includes(c.property));
    if (checks.length === 0) return [];
    try {
      const kubeconfig =
        target.sandbox?.state.kubeconfig ??
        (provisional.kind === 'aws' ? provisional.kubeconfig : undefined);
      await using liveTarget = await openLiveTarget({
        outputsDir,
        expectationsFile: options.expectationsFile,
        ...(kubeconfig === undefined ? {} : { kubeconfig }),
        ...(provisional.kind === 'aws' && provisional.context !== undefined
          ? { context: provisional.context }
          : {}),
        ...(target.sandbox?.state.aws === undefined
          ? {}
          : {
              aws: {
                endpoint: target.sandbox.state.aws.endpoint,
                credentials: {
                  accessKeyId: target.sandbox.state.aws.accessKeyId,
                  secretAccessKey: target.sandbox.state.aws.secretAccessKey,
                },
              },
            }),
        env: target.sandbox === undefined ? env : {},
      });
      const run = await runLiveChecks(liveTarget, { checks });
      for (const [op, n] of Object.entries(run.aws.byOperation)) {
        liveCalls[op] = (liveCalls[op] ?? 0) + n;
      }
      return [...run.events];
    } catch (error) {
      progress(`warning: the live checks ${when} the run did not run: ${messageOf(error)}`);
      return [];
    }
  };

  progress(`${experiment.name}: ${experiment.description}`);
  progress(`live checks before: ${propertiesOf(experiment.name).join(', ')}`);
  const checksBefore = await liveChecks('before');

  const events: ChaosEvent[] = [];
  const windows: FaultWindow[] = [];
  const note = (what: string): void => {
    events.push({ at: Date.now(), what });
    progress(what);
  };
  const hold = async (point: HoldPoint): Promise<void> => {
    if (options.holdAt !== point) return;
    progress(`holding at ${point} (STACKPROOF_CHAOS_HOLD_AT) until killed`);
    await delay(HOLD_MS, undefined, { signal: options.signal }).catch(() => undefined);
  };
  const runId = `${experiment.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const startedAt = new Date();
  const loadExpectations = parseLoadExpectations(common.sections.load, common);
  if (loadExpectations.config === undefined) {
    throw new ExpectationsError(options.expectationsFile, loadExpectations.errors);
  }

  const observer = await ClusterObserver.start(target.kubeConfig, namespace);
  const sqlProbe = databaseUrl === undefined ? undefined : new SqlProbe({ url: databaseUrl });
  sqlProbe?.start();
  let steady: SteadyLoad | undefined;
  const injections: { window: FaultWindow; injection: JournaledInjection<FaultRecord> }[] = [];
  let outcome: ChaosOutcome = 'completed';
  let reason: string | undefined;
  let t0: number | undefined;
  let inEffectAt: number | undefined;
  let residue: ResidueItem[] = [];
  let cleanupSeconds: number | undefined;
  let blackholeEvidence: EvidenceEvent | undefined;
  let startMs = Date.now();
  let loadPoints: Awaited<ReturnType<SteadyLoad['stop']>>['points'] = [];
  try {
    progress(
      `steady load: ${chaos.steady.rate} req/s on ${steadyUrl}${chaos.steady.path}${databaseUrl === undefined ? '' : '; SQL probe once a second through the database endpoint'}`,
    );
    steady = await SteadyLoad.start({
      url: steadyUrl,
      path: chaos.steady.path,
      rate: chaos.steady.rate,
      p95Ms: chaos.steady.p95Ms,
      errorBudget: chaos.errorBudget,
      phase: experiment.name,
      maxSeconds: chaos.baselineSeconds + chaos.faultSeconds + chaos.settleSeconds + 180,
      expectations: loadExpectations.config,
      outDir,
      ...(options.k6Path === undefined ? {} : { k6Path: options.k6Path }),
    });
    startMs = Date.now();
    note(`baseline: ${chaos.baselineSeconds} s of steady state`);
    await delay(chaos.baselineSeconds * 1000, undefined, { signal: options.signal });

    // The steady state must hold before any fault, or the fault cannot be judged by it.
    const atT0 = await steady.poll();
    const steadyBudget = 1 - common.availabilitySlo;
    const probes = sqlProbe?.samples() ?? [];
    if (atT0.failed > 1 && atT0.failed > steadyBudget * atT0.requests) {
      throw new StackproofError(
        'CHAOS_NO_STEADY_STATE',
        'environment',
        `the steady state does not hold before any fault: ${atT0.failed} of ${atT0.requests} requests to ${steadyUrl}${chaos.steady.path} failed during the baseline (budget ${Math.round(steadyBudget * 1000) / 10}%); nothing was injected`,
      );
    }
    if (probes.length > 0 && probes.every((p) => !p.ok)) {
      throw new StackproofError(
        'CHAOS_NO_STEADY_STATE',
        'environment',
        `the steady state does not hold before any fault: every SQL probe failed during the baseline (${probes.at(-1)?.error}); nothing was injected`,
      );
    }
    t0 = Date.now();
    for (const [i, fault] of experiment.faults.entries()) {
      options.signal?.throwIfAborted();
      const window: { -readonly [K in keyof FaultWindow]: FaultWindow[K] } = {
        id: `${runId}/${i + 1}-${fault.kind}`,
        kind: fault.kind,
        target: fault.target,
        journaledAt: Date.now(),
      };
      windows.push(window);
      try {
        const injection = await injectJournaled(journal, fault, {
          id: window.id,
          experiment: experiment.name,
          where,
          afterJournal: async () => {
            window.journaledAt = Date.now();
            if (i === 0) await hold('journaled');
          },
        });
        window.injectedAt = Date.now();
        window.record = injection.record;
        injections.push({ window, injection });
        note(`injected ${fault.kind} on ${fault.target}`);
      } catch (error) {
        window.injectError = messageOf(error);
        throw error;
      }
    }
    inEffectAt = Date.now();
    note(`every fault in effect ${seconds(inEffectAt - t0)} s after t0`);
    const blackhole = injections.find((i) => i.window.kind === AZ_BLACKHOLE_FAULT);
    if (blackhole !== undefined && experiment.properties.blackhole !== undefined) {
      blackholeEvidence = await blackholeContained(
        target,
        blackhole.injection.record as AzBlackholeRecord,
        experiment.properties.blackhole,
        subject,
      );
    }
    await hold('injected');

    // The fault window, watched for the stop condition: the error budget spent means the
    // outcome is decided; the faults are rolled back at once to limit the damage.
    const budget = chaos.errorBudget * chaos.steady.rate * chaos.faultSeconds;
    const end = t0 + chaos.faultSeconds * 1000;
    let lastReport = 0;
    while (Date.now() < end) {
      await delay(Math.min(1000, end - Date.now()), undefined, { signal: options.signal });
      const now = await steady.poll();
      const failed = now.failed - atT0.failed;
      const sent = now.requests - atT0.requests;
      if (failed > budget) {
        outcome = 'aborted';
        reason = `the steady load spent its error budget: ${failed} of ${sent} requests failed, more than the ${Math.floor(budget)} the ${chaos.faultSeconds} s window allows (chaos.errorBudget ${chaos.errorBudget})`;
        note(`stop condition: ${reason}`);
        break;
      }
      if (Date.now() - lastReport >= 5000) {
        lastReport = Date.now();
        const c = observer.latest();
        const endpoints = Object.entries(c?.endpoints ?? {})
          .map(([svc, e]) => `${svc} ${e.ready}`)
          .join(', ');
        const sql = sqlProbe?.samples().at(-1);
        progress(
          `fault ${Math.round((Date.now() - t0) / 1000)}/${chaos.faultSeconds} s: ${sent} requests, ${failed} failed; ready endpoints ${endpoints || 'none'}${sql === undefined ? '' : `; SQL probe ${sql.ok ? 'ok' : `failing (${sql.error})`}`}`,
        );
      }
    }
  } catch (error) {
    if (options.signal?.aborted === true) {
      outcome = 'interrupted';
      reason = `interrupted (${messageOf(options.signal.reason ?? error)})`;
    } else {
      outcome = 'failed';
      reason = messageOf(error);
      if (steady === undefined && injections.length === 0) {
        // Nothing was injected: the steady state never started. Stop watching and report it.
        await sqlProbe?.stop();
        await observer.stop();
        throw error;
      }
    }
    note(`run ${outcome}: ${reason}`);
  }

  // Every way out goes through here: roll back what was injected, newest first.
  const rollbackStartedAt = Date.now();
  if (injections.length > 0) note(`rollback of ${injections.length} fault(s)`);
  for (const [n, { window, injection }] of [...injections].reverse().entries()) {
    const w = window as { -readonly [K in keyof FaultWindow]: FaultWindow[K] };
    w.rollbackStartedAt = Date.now();
    try {
      await injection.rollback();
      w.rolledBackAt = Date.now();
      progress(`rolled back ${w.kind}`);
    } catch (error) {
      w.rollbackError = messageOf(error);
      note(
        `ROLLBACK FAILED for ${w.kind} on ${w.target}: ${w.rollbackError}; the journal entry stays pending`,
      );
    }
    if (n === 0) await hold('rolling-back');
  }
  const rolledBackAt = Date.now();
  if (injections.length > 0 || windows.length > 0) {
    const found = await askResidue(experiment.faults, RESIDUE_SETTLE_MS);
    residue = found.items;
    if (found.clearAt !== undefined) cleanupSeconds = seconds(found.clearAt - rollbackStartedAt);
    note(
      residue.length === 0
        ? `no residue (asked the target) ${cleanupSeconds ?? 0} s after the rollback started`
        : `RESIDUE: ${residue.map((r) => `${r.resource} (${r.detail})`).join('; ')}`,
    );
  }
  if (outcome !== 'interrupted' && injections.length > 0 && chaos.settleSeconds > 0) {
    progress(`settle: ${chaos.settleSeconds} s of steady load after the rollback`);
    await delay(chaos.settleSeconds * 1000, undefined, { signal: options.signal }).catch(
      () => undefined,
    );
  }
  const endMs = Date.now();
  if (steady !== undefined) loadPoints = (await steady.stop()).points;
  await sqlProbe?.stop();
  await observer.stop();
  const checksAfter = outcome === 'interrupted' ? [] : await liveChecks('after');

  const measured =
    t0 === undefined
      ? { evidence: [] as EvidenceEvent[] }
      : measureRun({
          experiment,
          expectations: chaos,
          availabilitySlo: common.availabilitySlo,
          moments: { t0, rollbackStartedAt, rolledBackAt },
          cluster: observer.samples(),
          load: loadPoints,
          sql: sqlProbe?.samples() ?? [],
          subject,
          sqlProbed: sqlProbe !== undefined,
        });
  const allEvidence = [
    ...(blackholeEvidence === undefined ? [] : [blackholeEvidence]),
    ...measured.evidence,
  ];
  const timeline = buildTimeline({
    startMs,
    endMs,
    load: loadPoints,
    cluster: observer.samples(),
    sql: sqlProbe?.samples() ?? [],
    faults: windows,
    events,
  });
  const failures: string[] = [
    ...allEvidence
      .filter((e) => e.status === 'fail')
      .map(
        (e) =>
          `${e.property} ${e.check ?? ''}: ${e.detail}${e.expected === undefined ? '' : `; expected ${e.expected}`}`,
      ),
    ...windows
      .filter((w) => w.rollbackError !== undefined)
      .map(
        (w) =>
          `rollback of ${w.kind} on ${w.target} failed: ${w.rollbackError} (journal entry ${w.id} stays pending: run 'stackproof chaos recover')`,
      ),
    ...residue.map((r) => `residue: ${r.resource}: ${r.detail}`),
    ...(outcome === 'completed' ? [] : [`run ${outcome}: ${reason ?? ''}`]),
  ];
  const passed = failures.length === 0;
  const files = {
    journal,
    timeline: join(outDir, 'timeline.json'),
    evidence: join(outDir, 'evidence.jsonl'),
    summary: join(outDir, 'summary.json'),
    junit: join(outDir, 'junit.xml'),
    report: join(outDir, 'report.html'),
    k6Raw: join(outDir, 'k6-raw.json.gz'),
  };
  const summary: ChaosSummary = {
    experiment: experiment.name,
    description: experiment.description,
    target:
      where.kind === 'sandbox'
        ? `sandbox ${where.dir}`
        : `AWS account ${where.account} (${where.region}), context ${target.kubeContext}`,
    verdict: passed ? 'pass' : 'fail',
    passed,
    outcome,
    ...(reason === undefined ? {} : { reason }),
    startedAt: startedAt.toISOString(),
    durationSeconds: seconds(endMs - startedAt.getTime()),
    faults: windows.map((w) => ({
      id: w.id,
      kind: w.kind,
      target: w.target,
      injected: w.injectedAt !== undefined,
      rolledBack:
        w.rollbackError === undefined &&
        (w.rolledBackAt !== undefined || w.injectedAt === undefined),
      ...(w.rollbackError === undefined
        ? w.injectError === undefined
          ? {}
          : { error: w.injectError }
        : { error: w.rollbackError }),
    })),
    residue,
    timings: {
      ...(t0 !== undefined && inEffectAt !== undefined
        ? { injectSeconds: seconds(inEffectAt - t0) }
        : {}),
      ...(cleanupSeconds === undefined ? {} : { cleanupSeconds }),
      ...('detectedAfterSeconds' in measured && measured.detectedAfterSeconds !== undefined
        ? { detectedAfterSeconds: measured.detectedAfterSeconds }
        : {}),
      ...('recoveredAfterSeconds' in measured && measured.recoveredAfterSeconds !== undefined
        ? { recoveredAfterSeconds: measured.recoveredAfterSeconds }
        : {}),
      ...('rdsDowntimeSeconds' in measured && measured.rdsDowntimeSeconds !== undefined
        ? { rdsDowntimeSeconds: measured.rdsDowntimeSeconds }
        : {}),
      ...('failedShare' in measured && measured.failedShare !== undefined
        ? { failedShare: measured.failedShare }
        : {}),
    },
    evidence: allEvidence,
    checks: { before: checksBefore, after: checksAfter },
    awsCalls: Object.fromEntries(
      Object.entries(
        [target.aws.counter.byOperation(), liveCalls].reduce<Record<string, number>>(
          (all, calls) => {
            for (const [op, n] of Object.entries(calls)) all[op] = (all[op] ?? 0) + n;
            return all;
          },
          {},
        ),
      ).sort(([a], [b]) => a.localeCompare(b)),
    ),
    failures,
    files,
  };
  await writeReportFile(files.timeline, `${JSON.stringify(timeline, null, 2)}\n`);
  await writeReportFile(files.evidence, allEvidence.map((e) => `${JSON.stringify(e)}\n`).join(''));
  await writeReportFile(files.summary, `${JSON.stringify(summary, null, 2)}\n`);
  await writeReportFile(files.junit, chaosJunit(summary));
  await writeReportFile(files.report, chaosReportHtml(summary, timeline));
  return { dryRun: false, plan, summary, timeline, evidence: allEvidence, journal, outDir };
}
