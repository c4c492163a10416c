import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type ChaosRunResult,
  type ChaosStack,
  EXPERIMENTS,
  type ExperimentName,
  type FisDatabaseFailover,
  fisAzOutageInput,
  fisAzOutageTemplate,
  HOLD_POINTS,
  type HoldPoint,
  openChaosTarget,
  parseChaosExpectations,
  recoverFromJournal,
  runChaosExperiment,
} from '@stackproof/chaos';
import { ExpectationsError, readExpectationsFile, repoPath } from '@stackproof/core';
import { liveWorkspaces, parseLiveExpectations, readStackOutputs } from '@stackproof/infra-tests';
import { writeReportFile } from '@stackproof/report';
import type { CliOutcome } from './cli-outcome.ts';
import { durationFlag } from './duration-flag.ts';
import { numberFlag, parseFlags } from './flags.ts';
import { UsageError } from './usage-error.ts';

export const CHAOS_USAGE = `Usage: stackproof chaos <run | recover | fis-template> [options]

stackproof chaos run <${EXPERIMENTS.join(' | ')}> [options]
  az-outage --zone Z        Z loses power: its nodes, its subnets (NACL deny entries), its
                            instances, and the database primary when it is in Z (failover)
  node-loss --node N        one node loses power (or --zone Z: a random node of Z)
  pod-kill --selector K=V   Ready pods matching K=V[,K=V] are killed (--count N, default 1, one zone)
  rds-failover              the database fails over (sandbox: its Multi-AZ stand-in; AWS:
                            RebootDBInstance with ForceFailover)
Options:
  --stack sandbox|aws       what to act on (default sandbox)
  --sandbox-dir DIR         the sandbox (default .sandbox)
  --outputs DIR             --stack aws: the workspaces' terraform output -json files
  --kubeconfig FILE         --stack aws: the cluster (default KUBECONFIG); --context NAME
  --expectations FILE       bounds, durations, allow-list (default expectations/sandbox.json,
                            expectations/staging.json with --stack aws)
  --allow-account ID        add an AWS account id to chaos.allow.accounts (repeatable)
  --allow-context NAME      add a kube context to chaos.allow.contexts (repeatable)
  --namespace NS            the workloads' namespace (default: the expectations' first)
  --duration D              the fault window (default chaos.faultSeconds; 90s, 2m)
  --baseline D, --settle D  steady load before the first injection and after the rollback
  --rate N                  steady load, requests per second (default chaos.steady.rate)
  --error-budget R          share of the fault window's requests that may fail (spent: abort)
  --steady-url URL          the entry point under steady load (default: the sandbox's route of
                            chaos.steady.service; required off the sandbox)
  --database-url URL        the database endpoint the SQL probe uses (default
                            STACKPROOF_DATABASE_URL; the sandbox's own on the sandbox)
  --out DIR                 reports and the journal (default .reports/chaos)
  --dry-run                 print exactly what would be done and change nothing

  A journal entry is synced to disk before every injection; every injected fault is rolled back
  on every way out (end, failed step, error budget spent, SIGINT, SIGTERM, exception); the run
  ends by asking the target for residue. Writes DIR/journal.jsonl, timeline.json,
  evidence.jsonl, summary.json, junit.xml, report.html and k6-raw.json.gz.

stackproof chaos recover [--out DIR | --journal FILE] [--sandbox-dir DIR]
  Rolls back, newest first, every injection the journal holds without a successful rollback
  (after kill -9, a lost machine, a rollback that failed), then asks the target for residue.
  Nothing pending: does nothing.

stackproof chaos fis-template az-outage --zone Z --role-arn ARN --stop-alarm ARN [...]
    [--duration D] [--db-failover auto|always|never] [--log-group-arn ARN]
    [--stack sandbox|aws] [--outputs DIR] [--sandbox-dir DIR] [--expectations FILE] [--out FILE]
  Writes the AWS FIS experiment template of the same outage (JSON, to --out or stdout): the
  zone's subnets disrupted, its node instances stopped, the DB instance rebooted with a forced
  failover when its primary is in Z (auto), and the stop conditions the FIS scenario lacks.

Exit status: 0 held (every bound, everything rolled back, no residue); 1 a bound broke, a
rollback failed, residue was left, or the run was aborted or interrupted; 2 bad input, refused
by a guard, pending journal entries, or the target unreachable; 3 internal.`;

const OPTIONS = {
  zone: { type: 'string', multiple: true },
  node: { type: 'string' },
  selector: { type: 'string' },
  count: { type: 'string' },
  namespace: { type: 'string' },
  stack: { type: 'string' },
  'sandbox-dir': { type: 'string' },
  outputs: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  expectations: { type: 'string' },
  'allow-account': { type: 'string', multiple: true },
  'allow-context': { type: 'string', multiple: true },
  duration: { type: 'string' },
  baseline: { type: 'string' },
  settle: { type: 'string' },
  rate: { type: 'string' },
  'error-budget': { type: 'string' },
  'steady-url': { type: 'string' },
  'database-url': { type: 'string' },
  out: { type: 'string' },
  journal: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'role-arn': { type: 'string' },
  'stop-alarm': { type: 'string', multiple: true },
  'db-failover': { type: 'string' },
  'log-group-arn': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: readonly string[]) {
  return parseFlags(args, OPTIONS, CHAOS_USAGE);
}

function stackOf(v: Values): ChaosStack {
  const kind = v.stack ?? 'sandbox';
  if (kind === 'sandbox') {
    for (const flag of ['outputs', 'kubeconfig', 'context'] as const) {
      if (v[flag] !== undefined) {
        throw new UsageError(`--${flag} is for --stack aws; the sandbox brings its own`);
      }
    }
    return { kind: 'sandbox', dir: resolve(v['sandbox-dir'] ?? '.sandbox') };
  }
  if (kind !== 'aws') throw new UsageError(`--stack must be sandbox or aws, got '${kind}'`);
  if (v.outputs === undefined) {
    throw new UsageError(
      "--stack aws needs --outputs DIR: each workspace's 'terraform output -json' as <workspace>.json",
    );
  }
  return {
    kind: 'aws',
    outputsDir: resolve(v.outputs),
    ...(v.kubeconfig === undefined ? {} : { kubeconfig: v.kubeconfig }),
    ...(v.context === undefined ? {} : { context: v.context }),
  };
}

function expectationsFileOf(v: Values, stack: ChaosStack): string {
  return (
    v.expectations ??
    repoPath('expectations', stack.kind === 'sandbox' ? 'sandbox.json' : 'staging.json')
  );
}

function holdPoint(env: NodeJS.ProcessEnv): HoldPoint | undefined {
  const raw = env.STACKPROOF_CHAOS_HOLD_AT;
  if (raw === undefined || raw === '') return undefined;
  if (!HOLD_POINTS.includes(raw as HoldPoint)) {
    throw new UsageError(
      `STACKPROOF_CHAOS_HOLD_AT must be one of ${HOLD_POINTS.join(', ')}, got '${raw}'`,
    );
  }
  return raw as HoldPoint;
}

function runText(result: Extract<ChaosRunResult, { dryRun: false }>): string {
  const { summary } = result;
  const lines = [
    `${summary.passed ? 'PASS' : 'FAIL'} chaos ${summary.experiment}: ${summary.description} (${summary.outcome}${summary.reason === undefined ? '' : `: ${summary.reason}`})`,
  ];
  for (const e of summary.evidence) {
    // A measured event's detail already ends with its measure and bound.
    lines.push(
      `  ${e.status.padEnd(7)} ${e.property.padEnd(26)} ${(e.check ?? '').padEnd(18)} ${e.detail}${e.status === 'fail' && e.expected !== undefined ? `; expected ${e.expected}` : ''}`,
    );
  }
  for (const f of summary.faults) {
    lines.push(
      `  ${f.rolledBack ? 'rolled back' : 'NOT ROLLED BACK'}: ${f.kind} on ${f.target}${f.error === undefined ? '' : ` (${f.error})`}`,
    );
  }
  lines.push(
    summary.residue.length === 0
      ? '  no residue: the target holds nothing the faults changed'
      : `  RESIDUE: ${summary.residue.map((r) => `${r.resource} (${r.detail})`).join('; ')}`,
  );
  const t = summary.timings;
  const fmt = (v: number | undefined, unit = ' s'): string =>
    v === undefined ? '—' : `${v}${unit}`;
  lines.push(
    `  figures: fault in effect ${fmt(t.injectSeconds)} after t0; detected ${fmt(t.detectedAfterSeconds)}, recovered ${fmt(t.recoveredAfterSeconds)} after t0; database downtime ${fmt(t.rdsDowntimeSeconds)}; requests failed ${t.failedShare === undefined ? '—' : `${(t.failedShare * 100).toFixed(1)}%`}; rollback start → no residue ${fmt(t.cleanupSeconds)}`,
  );
  lines.push(
    `report: ${summary.files.report} (and timeline.json, summary.json, junit.xml, journal.jsonl)`,
  );
  return `${lines.join('\n')}\n`;
}

function planText(result: Extract<ChaosRunResult, { dryRun: true }>): string {
  const { plan } = result;
  const where =
    plan.where.kind === 'sandbox' ? `sandbox ${plan.where.dir}` : `AWS ${plan.where.region}`;
  return `${[
    `DRY RUN chaos ${plan.experiment} on ${where} (account ${plan.account}, kube context ${plan.context}): nothing was changed`,
    `  ${plan.description}`,
    `  blast radius: ${plan.zones.join(', ') || 'no zone'}`,
    ...plan.faults.map(
      (f, i) => `  ${i + 1}. ${f.kind} on ${f.target}: ${JSON.stringify(f.record)}`,
    ),
    `  steady load ${plan.steady.rate} req/s on ${plan.steady.url}${plan.steady.path}; ${plan.databaseProbe ? 'SQL probe once a second' : 'no SQL probe (no database URL)'}`,
    `  ${plan.seconds.baseline} s baseline, ${plan.seconds.fault} s fault window, ${plan.seconds.settle} s settle; journal ${plan.journal}`,
  ].join('\n')}\n`;
}

/**
 * SIGINT and SIGTERM end a run the safe way: the first aborts it (everything injected is rolled
 * back, the residue checked, the reports written); later ones only say so. kill -9 cannot be
 * caught: the journal is what `chaos recover` works from then.
 */
function interruptible(progress: (line: string) => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      progress(
        `${name}: rolling back every injected fault before exiting (kill -9 leaves them to 'stackproof chaos recover')`,
      );
      controller.abort(new Error(name));
    } else {
      progress(`${name}: still rolling back`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

async function run(
  positionals: string[],
  v: Values,
  progress: (line: string) => void,
): Promise<CliOutcome> {
  const [experiment, ...extra] = positionals;
  if (experiment === undefined || !EXPERIMENTS.includes(experiment as ExperimentName)) {
    throw new UsageError(
      `chaos run needs an experiment: ${EXPERIMENTS.join(', ')}${experiment === undefined ? '' : `; got '${experiment}'`}\n\n${CHAOS_USAGE}`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'\n\n${CHAOS_USAGE}`);
  if (v.selector !== undefined && !/^[\w./-]+=[\w.-]+(,[\w./-]+=[\w.-]+)*$/.test(v.selector)) {
    throw new UsageError(`--selector must be KEY=VALUE[,KEY=VALUE], got '${v.selector}'`);
  }
  const errorBudget = v['error-budget'] === undefined ? undefined : Number(v['error-budget']);
  if (errorBudget !== undefined && !(errorBudget >= 0 && errorBudget < 1)) {
    throw new UsageError(
      `--error-budget must be a share of requests in [0, 1), got '${v['error-budget']}'`,
    );
  }
  const stack = stackOf(v);
  const count = numberFlag('count', v.count);
  const overrides = {
    ...(durationFlag('duration', v.duration) === undefined
      ? {}
      : { faultSeconds: durationFlag('duration', v.duration) as number }),
    ...(durationFlag('baseline', v.baseline, true) === undefined
      ? {}
      : { baselineSeconds: durationFlag('baseline', v.baseline, true) as number }),
    ...(durationFlag('settle', v.settle, true) === undefined
      ? {}
      : { settleSeconds: durationFlag('settle', v.settle, true) as number }),
    ...(numberFlag('rate', v.rate) === undefined
      ? {}
      : { rate: numberFlag('rate', v.rate) as number }),
    ...(errorBudget === undefined ? {} : { errorBudget }),
  };
  const holdAt = holdPoint(process.env);
  const outDir = resolve(v.out ?? join('.reports', 'chaos'));
  const interrupt = interruptible(progress);
  try {
    const result = await runChaosExperiment({
      request: {
        experiment: experiment as ExperimentName,
        ...(v.zone === undefined ? {} : { zones: v.zone }),
        ...(v.node === undefined ? {} : { node: v.node }),
        ...(v.selector === undefined ? {} : { selector: v.selector }),
        ...(count === undefined ? {} : { count }),
        ...(v.namespace === undefined ? {} : { namespace: v.namespace }),
      },
      stack,
      expectationsFile: expectationsFileOf(v, stack),
      outDir,
      overrides,
      allow: { accounts: v['allow-account'] ?? [], contexts: v['allow-context'] ?? [] },
      ...(v['steady-url'] === undefined ? {} : { steadyUrl: v['steady-url'] }),
      ...(v['database-url'] === undefined ? {} : { databaseUrl: v['database-url'] }),
      dryRun: v['dry-run'] ?? false,
      signal: interrupt.signal,
      onProgress: progress,
      ...(holdAt === undefined ? {} : { holdAt }),
    });
    if (result.dryRun) return { exitCode: 0, stdout: planText(result) };
    return { exitCode: result.summary.passed ? 0 : 1, stdout: runText(result) };
  } finally {
    interrupt.dispose();
  }
}

async function recover(
  positionals: string[],
  v: Values,
  progress: (line: string) => void,
): Promise<CliOutcome> {
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${CHAOS_USAGE}`);
  const journal = resolve(v.journal ?? join(v.out ?? join('.reports', 'chaos'), 'journal.jsonl'));
  if (!existsSync(journal)) {
    return { exitCode: 0, stdout: `nothing to recover: there is no journal at ${journal}\n` };
  }
  const result = await recoverFromJournal({
    journal,
    ...(v['sandbox-dir'] === undefined
      ? {}
      : { fallbackTarget: { kind: 'sandbox', dir: resolve(v['sandbox-dir']) } as const }),
    onProgress: progress,
  });
  if (result.pending === 0)
    return { exitCode: 0, stdout: `nothing to recover: ${journal} has no pending injection\n` };
  const lines = [
    `${result.clean ? 'RECOVERED' : 'NOT RECOVERED'}: ${result.rolledBack.length} of ${result.pending} pending injection(s) rolled back from ${journal}`,
    ...result.rolledBack.map((f) => `  rolled back ${f.fault} on ${f.target}`),
    ...result.failed.map((f) => `  FAILED ${f.fault} on ${f.target}: ${f.error} (still pending)`),
    result.residue.length === 0
      ? '  no residue: the target holds nothing those faults changed'
      : `  RESIDUE: ${result.residue.map((r) => `${r.resource} (${r.detail})`).join('; ')}`,
  ];
  return { exitCode: result.clean ? 0 : 1, stdout: `${lines.join('\n')}\n` };
}

async function fisTemplate(
  positionals: string[],
  v: Values,
  progress: (line: string) => void,
): Promise<CliOutcome> {
  const [experiment, ...extra] = positionals;
  if (experiment !== 'az-outage' || extra.length > 0) {
    throw new UsageError(
      `chaos fis-template writes az-outage only: stackproof chaos fis-template az-outage --zone Z ...\n\n${CHAOS_USAGE}`,
    );
  }
  const zone = v.zone?.[0];
  if (zone === undefined || (v.zone?.length ?? 0) > 1) {
    throw new UsageError(
      'fis-template az-outage needs exactly one --zone Z (the blast radius is one zone)',
    );
  }
  if (v['role-arn'] === undefined)
    throw new UsageError('fis-template needs --role-arn ARN: the IAM role FIS assumes');
  const dbFailover = (v['db-failover'] ?? 'auto') as FisDatabaseFailover;
  if (!['auto', 'always', 'never'].includes(dbFailover)) {
    throw new UsageError(`--db-failover must be auto, always or never, got '${v['db-failover']}'`);
  }
  const stack = stackOf(v);
  const file = expectationsFileOf(v, stack);
  const { config: common } = await readExpectationsFile(file);
  const chaos = parseChaosExpectations(common.sections.chaos, common);
  if (chaos.config === undefined) throw new ExpectationsError(file, chaos.errors);
  const live = parseLiveExpectations(common.sections.live);
  if (live.config === undefined) throw new ExpectationsError(file, live.errors);
  await using target = await openChaosTarget(
    stack.kind === 'sandbox'
      ? { kind: 'sandbox', dir: stack.dir }
      : {
          kind: 'aws',
          account: '',
          region: common.region,
          ...(stack.kubeconfig === undefined ? {} : { kubeconfig: stack.kubeconfig }),
        },
  );
  const outputsDir =
    stack.kind === 'sandbox' ? (target.sandbox?.state.outputsDir ?? '') : stack.outputsDir;
  const outputs = await readStackOutputs(outputsDir, liveWorkspaces(live.config));
  const input = await fisAzOutageInput(target, outputs, live.config.workspaces, {
    zone,
    roleArn: v['role-arn'],
    stopAlarmArns: v['stop-alarm'] ?? [],
    durationSeconds: durationFlag('duration', v.duration) ?? chaos.config.faultSeconds,
    dbFailover,
    ...(v['log-group-arn'] === undefined ? {} : { logGroupArn: v['log-group-arn'] }),
  });
  const template = `${JSON.stringify(fisAzOutageTemplate(input), null, 2)}\n`;
  progress(
    `the role FIS assumes needs ec2:StopInstances/StartInstances, the network ACL actions of aws:network:disrupt-connectivity (it clones the subnets' NACLs and swaps their associations) and rds:RebootDBInstance; stackproof's own chaos role (terraform/modules/stackproof-iam) is narrower and does not serve FIS`,
  );
  if (v.out === undefined) return { exitCode: 0, stdout: template };
  await writeReportFile(resolve(v.out), template);
  return {
    exitCode: 0,
    stdout: `wrote ${resolve(v.out)} (FIS template: az-outage ${zone}${input.dbPrimaryZone === zone || dbFailover === 'always' ? ', with the database failover' : `, without a database failover (primary in ${input.dbPrimaryZone ?? 'an unknown zone'})`})\nCreate it: aws fis create-experiment-template --cli-input-json file://${resolve(v.out)}\n`,
  };
}

/** `stackproof chaos …`. Progress goes to stderr as it happens. */
export async function chaosCommand(
  args: readonly string[],
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<CliOutcome> {
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h') {
    return { exitCode: action === undefined ? 2 : 0, stdout: `${CHAOS_USAGE}\n` };
  }
  const { values, positionals } = parse(rest);
  if (values.help) return { exitCode: 0, stdout: `${CHAOS_USAGE}\n` };
  switch (action) {
    case 'run':
      return run(positionals, values, progress);
    case 'recover':
      return recover(positionals, values, progress);
    case 'fis-template':
      return fisTemplate(positionals, values, progress);
    default:
      throw new UsageError(`unknown chaos subcommand '${action}'\n\n${CHAOS_USAGE}`);
  }
}
