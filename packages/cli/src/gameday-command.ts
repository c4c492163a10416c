import { appendFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChaosStack } from '@stackproof/chaos';
import { type EvidenceEvent, repoPath } from '@stackproof/core';
import {
  gameDayStepSummary,
  runGameDay,
  SKIPPABLE_STAGES,
  type StageName,
  writeGameDayReport,
} from '@stackproof/gameday';
import { parseK6Duration } from '@stackproof/load';
import type { CliOutcome } from './cli-outcome.ts';
import { UsageError } from './usage-error.ts';
import { STACKPROOF_VERSION } from './version.ts';

export const GAMEDAY_USAGE = `Usage: stackproof gameday [options]

One run, one report: preflight (the policy gate on the plans and the rendered workloads chart,
then the live checks), the scale-out proof (k6, the HPA contract), an AZ outage under steady load
with the database failover (chaos az-outage), recovery, the live checks again, and the rollback
and residue check. A failing gate stops it before anything is injected.

Options:
  --plan FILE             a Terraform plan (terraform show -json) for the gate (repeatable)
  --values FILE           helm values to render the workloads chart with (repeatable; default:
                          the sandbox's own)
  --outputs DIR           AWS: the workspaces' 'terraform output -json' files (means --stack aws)
  --kubeconfig FILE, --context NAME   AWS: the cluster (default KUBECONFIG)
  --expectations FILE     default expectations/sandbox.json (expectations/staging.json on AWS);
                          its gameday section shortens or lengthens the stages
  --zone Z                the zone that loses power (default gameday.zone, else the database's)
  --out DIR               the report: report.html, report.json, junit.xml and each stage's files
                          (default .reports/gameday)
  --sandbox-dir DIR       the sandbox (default .sandbox)
  --target URL            AWS: the URL the scale-out loads
  --steady-url URL        AWS: the entry point under steady load during the outage
  --database-url URL      AWS: the SQL probe's database (default STACKPROOF_DATABASE_URL)
  --allow-account ID, --allow-context NAME   added to chaos.allow (repeatable)
  --outage D              the fault window (default chaos.faultSeconds / gameday.outage)
  --skip STAGE            leave out ${SKIPPABLE_STAGES.join(' or ')} (reported as skipped)

Writes a GitHub step summary when GITHUB_STEP_SUMMARY is set. SIGINT/SIGTERM during the outage
roll every fault back and leave no residue; no later stage starts.

Exit status: 0 every stage passed; 1 a stage failed (the report names the property), or the run
was stopped or interrupted; 2 bad input or a target that cannot be reached; 3 internal.`;

const OPTIONS = {
  plan: { type: 'string', multiple: true },
  values: { type: 'string', multiple: true },
  outputs: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  expectations: { type: 'string' },
  zone: { type: 'string' },
  out: { type: 'string' },
  'sandbox-dir': { type: 'string' },
  target: { type: 'string' },
  'steady-url': { type: 'string' },
  'database-url': { type: 'string' },
  'allow-account': { type: 'string', multiple: true },
  'allow-context': { type: 'string', multiple: true },
  outage: { type: 'string' },
  skip: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** One line per failing property and stage: the first failure's detail and how many more. */
function failingLines(events: readonly EvidenceEvent[]): string[] {
  const groups = new Map<string, EvidenceEvent[]>();
  for (const e of events.filter((x) => x.status === 'fail')) {
    const key = `${e.property} ${String(e.data?.stage ?? '')}/${e.phase}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups].map(([key, [first, ...more]]) => {
    const [property = '', where = ''] = key.split(' ');
    return `  fail    ${property.padEnd(26)} ${where.padEnd(18)} ${first?.check === undefined ? '' : `${first.check}: `}${first?.subject}: ${first?.detail}${more.length === 0 ? '' : ` (and ${more.length} more)`}`;
  });
}

/** `stackproof gameday`: thin over @stackproof/gameday. Progress goes to stderr. */
export async function gamedayCommand(
  args: readonly string[],
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<CliOutcome> {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args: [...args], options: OPTIONS, strict: true }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${GAMEDAY_USAGE}`);
  }
  if (values.help) return { exitCode: 0, stdout: `${GAMEDAY_USAGE}\n` };
  const aws = values.outputs !== undefined;
  if (!aws) {
    for (const flag of ['kubeconfig', 'context', 'target', 'steady-url'] as const) {
      if (values[flag] !== undefined) {
        throw new UsageError(
          `--${flag} is for a real stack (with --outputs); the sandbox brings its own`,
        );
      }
    }
  }
  const skip = (values.skip ?? []) as StageName[];
  for (const s of skip) {
    if (!SKIPPABLE_STAGES.includes(s)) {
      throw new UsageError(`--skip takes ${SKIPPABLE_STAGES.join(' or ')}, got '${s}'`);
    }
  }
  let outageSeconds: number | undefined;
  if (values.outage !== undefined) {
    try {
      outageSeconds = parseK6Duration(values.outage);
    } catch {
      throw new UsageError(`--outage must be a duration such as 45s or 2m, got '${values.outage}'`);
    }
    if (outageSeconds <= 0) throw new UsageError(`--outage must be longer than 0`);
  }
  if (values.zone !== undefined && !/^[a-z]{2}-[a-z]+-\d[a-z]$/.test(values.zone)) {
    throw new UsageError(
      `--zone must be an availability zone such as me-central-1a, got '${values.zone}'`,
    );
  }
  const stack: ChaosStack = aws
    ? {
        kind: 'aws',
        outputsDir: resolve(values.outputs as string),
        ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
        ...(values.context === undefined ? {} : { context: values.context }),
      }
    : { kind: 'sandbox', dir: resolve(values['sandbox-dir'] ?? '.sandbox') };
  const outDir = resolve(values.out ?? join('.reports', 'gameday'));
  // The first signal aborts the outage (chaos rolls everything back); later ones only say so.
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    progress(
      controller.signal.aborted
        ? `${name}: still rolling back`
        : `${name}: stopping the game day; every injected fault is rolled back before exiting`,
    );
    if (!controller.signal.aborted) controller.abort(new Error(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const databaseUrl =
      values['database-url'] ?? (aws ? process.env.STACKPROOF_DATABASE_URL : undefined);
    const result = await runGameDay({
      stack,
      version: STACKPROOF_VERSION,
      plans: values.plan ?? [],
      ...(values.values === undefined ? {} : { chartValues: values.values.map((v) => resolve(v)) }),
      expectationsFile: resolve(
        values.expectations ?? repoPath('expectations', aws ? 'staging.json' : 'sandbox.json'),
      ),
      ...(values.zone === undefined ? {} : { zone: values.zone }),
      outDir,
      skip,
      ...(values.target === undefined ? {} : { loadTarget: values.target }),
      ...(values['steady-url'] === undefined ? {} : { steadyUrl: values['steady-url'] }),
      ...(databaseUrl === undefined || databaseUrl === '' ? {} : { databaseUrl }),
      allow: { accounts: values['allow-account'] ?? [], contexts: values['allow-context'] ?? [] },
      ...(outageSeconds === undefined ? {} : { outageSeconds }),
      signal: controller.signal,
      onProgress: progress,
    });
    const files = await writeGameDayReport(result);
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile !== undefined && summaryFile !== '') {
      await appendFile(summaryFile, gameDayStepSummary(result));
    }
    const lines = [
      `${result.passed ? 'PASS' : 'FAIL'} game day on ${result.target} (zone ${result.zone} lost), ${result.seconds} s${result.stopped === undefined ? '' : `; stopped at ${result.stopped.stage}: ${result.stopped.reason}`}`,
      ...result.stages.map(
        (s) =>
          `  ${s.status.padEnd(7)} ${s.name.padEnd(10)} ${s.seconds === undefined ? '' : `${s.seconds} s `}${s.figure === undefined ? '' : `[${s.figure}] `}${s.detail}`,
      ),
      ...failingLines(result.evidence),
      `report: ${files.html} (and report.json, junit.xml)`,
    ];
    return { exitCode: result.passed ? 0 : 1, stdout: `${lines.join('\n')}\n` };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
