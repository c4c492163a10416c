import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readExpectationsFile, repoPath } from '@stackproof/core';
import { parseLoadExpectations } from '@stackproof/load';
import {
  type ChartRelease,
  checkReleaseNames,
  type DeployOutcome,
  deployRelease,
  parseScenarioList,
  proveReleaseLifecycle,
  type ReleaseProof,
  SCENARIO_NAMES,
} from '@stackproof/release';
import { writeReportFile } from '@stackproof/report';
import { SandboxClient } from '@stackproof/sandbox';
import type { CliOutcome } from './cli-outcome.ts';
import { durationFlag } from './duration-flag.ts';
import { parseFlags } from './flags.ts';
import { UsageError } from './usage-error.ts';

const DEFAULT_CHART = repoPath('charts', 'stackproof-workloads');

export const RELEASE_USAGE = `Usage: stackproof release <deploy | migrate | prove> [options]

  deploy    release the workloads chart in the order the deploy workflow uses: the schema
            migrations as their own step (the chart's migrations Job, rendered with this
            release's values, run to completion), then helm upgrade --install --atomic --wait.
            A failed migration stops the release before any pod changes; a rollout that is not
            Ready within --timeout is rolled back by Helm.
  migrate   only the migrations step
  prove     on a running sandbox, under steady k6 load: a good release rolls out and a bad one
            (its pods never get Ready) is rolled back by --atomic, both with zero failed requests;
            a failing migration stops a release with the Deployment unchanged; and the control,
            a rollout with maxUnavailable 100%, must fail the zero-failed check

stackproof release deploy|migrate --release NAME --namespace NS [options]
  --release NAME          the Helm release
  --namespace NS          its namespace
  --chart DIR             the chart (default charts/stackproof-workloads)
  --values FILE           a values file, as helm -f (repeatable, in order)
  --set-string KEY=VALUE  as helm --set-string (repeatable)
  --timeout D             helm's --timeout (the rollout's wait, and the rollback's) and the
                          migrations' bound: 90s, 10m, 1m30s (default 10m)
  --kubeconfig FILE       default: KUBECONFIG, then ~/.kube/config
  --out FILE              also write the outcome as JSON
  Exit status: 0 deployed (migrate: migrated), 1 the migrations failed, or the rollout failed
  and was rolled back, 2 bad input or the cluster unreachable.

stackproof release prove [options]
  --sandbox-dir DIR       the sandbox (default .sandbox); its kubeconfig, namespace and backend
  --release NAME          the sandbox's Helm release of the chart (default stackproof)
  --chart DIR             the chart the releases are made of (default charts/stackproof-workloads)
  --scenario LIST         comma-separated, run in this order whatever the list's order:
                          ${SCENARIO_NAMES.join(', ')} (default all)
  --rate N                steady load, requests per second (default 20)
  --path PATH             path under load (default /api/items: it reads the migrated table)
  --bad-timeout D         helm --timeout of the bad release (default 45s)
  --timeout D             helm --timeout of the other releases (default 5m)
  --expectations FILE     load defaults (default expectations/sandbox.json)
  --out DIR               report directory (default .reports/release): release-proof.json,
                          evidence.jsonl, junit.xml, report.html, and each scenario's load run
  Exit status: 0 every check passed, 1 a check failed or could not be judged, 2 bad input, no
  sandbox, or k6 missing.`;

const OPTIONS = {
  release: { type: 'string' },
  namespace: { type: 'string' },
  chart: { type: 'string' },
  values: { type: 'string', multiple: true },
  'set-string': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  kubeconfig: { type: 'string' },
  out: { type: 'string' },
  'sandbox-dir': { type: 'string' },
  scenario: { type: 'string' },
  rate: { type: 'string' },
  path: { type: 'string' },
  'bad-timeout': { type: 'string' },
  expectations: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: readonly string[]) {
  return parseFlags(args, OPTIONS, RELEASE_USAGE);
}

/** Helm and the proof count whole seconds: a release timeout under 1 s is a mistake. */
function duration(name: string, raw: string | undefined, fallback: number): number {
  const value = durationFlag(name, raw) ?? fallback;
  if (value < 1) throw new UsageError(`--${name} must be at least 1s, got '${raw}'`);
  return value;
}

function chartDir(v: Values): string {
  const chart = resolve(v.chart ?? DEFAULT_CHART);
  if (!existsSync(join(chart, 'Chart.yaml'))) {
    throw new UsageError(`--chart ${chart} is not a chart directory (no Chart.yaml)`);
  }
  return chart;
}

function only(v: Values, allowed: readonly (keyof Values)[], action: string): void {
  for (const key of Object.keys(v) as (keyof Values)[]) {
    if (key !== 'help' && !allowed.includes(key)) {
      throw new UsageError(`release ${action} takes no --${key}\n\n${RELEASE_USAGE}`);
    }
  }
}

function chartRelease(v: Values): ChartRelease {
  if (v.release === undefined || v.namespace === undefined) {
    throw new UsageError(`--release and --namespace are required\n\n${RELEASE_USAGE}`);
  }
  checkReleaseNames(v.release, v.namespace);
  for (const file of v.values ?? []) {
    if (!existsSync(file)) throw new UsageError(`--values ${file}: no such file`);
  }
  for (const entry of v['set-string'] ?? []) {
    if (entry.indexOf('=') <= 0)
      throw new UsageError(`--set-string expects KEY=VALUE, got '${entry}'`);
  }
  return {
    release: v.release,
    namespace: v.namespace,
    chart: chartDir(v),
    ...(v.values === undefined ? {} : { valuesFiles: v.values.map((f) => resolve(f)) }),
    ...(v['set-string'] === undefined ? {} : { setStrings: v['set-string'] }),
  };
}

function deployText(o: DeployOutcome): string {
  const m = o.migrations;
  const lines = [
    `${o.status === 'deployed' || o.status === 'migrated' ? 'OK' : 'FAILED'} release ${o.namespace}/${o.release}: ${o.status} (revision ${o.revisionBefore ?? 'none'} -> ${o.revisionAfter ?? 'none'}, ${(o.durationMs / 1000).toFixed(1)} s)`,
    m.status === 'skipped'
      ? `  migrations skipped: ${m.reason}`
      : `  migrations ${m.status}: Job ${m.job}, ${m.attempts} run(s), ${(m.durationMs / 1000).toFixed(1)} s${m.reason === undefined ? '' : `, ${m.reason}${m.message === undefined ? '' : `: ${m.message}`}`}`,
  ];
  if (m.status === 'failed' && m.logTail !== undefined) {
    lines.push(`  the last run printed:\n${m.logTail.replace(/^/gm, '    | ')}`);
  }
  if (o.upgrade === undefined) {
    if (o.status === 'migrations-failed') lines.push('  helm upgrade not run: no pod was changed');
  } else {
    lines.push(
      `  helm upgrade --atomic exited ${o.upgrade.exitCode} after ${(o.upgrade.durationMs / 1000).toFixed(1)} s${o.upgrade.rolledBack ? ', rolled back' : ''}`,
    );
    if (o.status === 'failed') lines.push(o.upgrade.outputTail.replace(/^/gm, '    '));
  }
  return `${lines.join('\n')}\n`;
}

function proofText(proof: ReleaseProof): string {
  const lines = [
    `${proof.passed ? 'PASS' : proof.verdict.toUpperCase()} release lifecycle of ${proof.namespace}/${proof.deployment} under ${proof.rate} req/s (${proof.durationSeconds} s)`,
  ];
  for (const s of proof.scenarios) {
    lines.push(`  ${s.verdict.padEnd(7)} ${s.name}: ${s.title}`);
    for (const e of s.evidence) {
      lines.push(
        `    ${e.status.padEnd(7)} ${(e.check ?? '').padEnd(34)} ${e.detail}${e.status === 'fail' && e.expected !== undefined ? `; expected ${e.expected}` : ''}`,
      );
    }
  }
  lines.push(
    `report: ${proof.files.html ?? ''} (and release-proof.json, evidence.jsonl, junit.xml)`,
  );
  return `${lines.join('\n')}\n`;
}

async function prove(v: Values, progress: (line: string) => void): Promise<CliOutcome> {
  let scenarios = SCENARIO_NAMES;
  if (v.scenario !== undefined) {
    const parsed = parseScenarioList(v.scenario);
    if (!Array.isArray(parsed)) {
      throw new UsageError(
        `--scenario: unknown ${parsed.unknown.join(', ')}; choose from ${SCENARIO_NAMES.join(', ')}`,
      );
    }
    scenarios = parsed;
  }
  let rate = 20;
  if (v.rate !== undefined) {
    rate = Number(v.rate);
    if (!Number.isInteger(rate) || rate < 1 || rate > 1000) {
      throw new UsageError(`--rate must be an integer from 1 to 1000, got '${v.rate}'`);
    }
  }
  if (v.path !== undefined && !v.path.startsWith('/')) {
    throw new UsageError(`--path must start with /, got '${v.path}'`);
  }
  const badTimeoutSeconds = duration('bad-timeout', v['bad-timeout'], 45);
  const timeoutSeconds = duration('timeout', v.timeout, 300);
  const chart = chartDir(v);
  const dir = resolve(v['sandbox-dir'] ?? '.sandbox');
  // No sandbox: an environment error that says how to start one. The proof makes bad releases
  // on purpose, so it takes no other target.
  const { state } = await SandboxClient.connect(dir);
  const backend = state.services.backend;
  if (backend === undefined) {
    throw new UsageError(`the sandbox in ${dir} publishes no backend Service`);
  }
  const release = v.release ?? 'stackproof';
  checkReleaseNames(release, state.namespace);
  const file = v.expectations ?? repoPath('expectations', 'sandbox.json');
  const { config } = await readExpectationsFile(file);
  const parsed = parseLoadExpectations(config.sections.load, config);
  if (parsed.config === undefined) throw new UsageError(`${file}: ${parsed.errors.join('; ')}`);
  const outDir = resolve(v.out ?? join('.reports', 'release'));
  progress(`release prove on the sandbox in ${dir}: ${scenarios.join(', ')}; report in ${outDir}`);
  const proof = await proveReleaseLifecycle({
    kubeconfig: state.kubeconfig,
    namespace: state.namespace,
    release,
    chart,
    target: backend,
    hpa: parsed.config.hpa,
    expectations: parsed.config,
    rate,
    ...(v.path === undefined ? {} : { path: v.path }),
    badTimeoutSeconds,
    timeoutSeconds,
    scenarios,
    outDir,
    onProgress: progress,
  });
  return { exitCode: proof.passed ? 0 : 1, stdout: proofText(proof) };
}

/** `stackproof release …`. Progress goes to stderr as it happens. */
export async function releaseCommand(
  args: readonly string[],
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<CliOutcome> {
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h') {
    return { exitCode: action === undefined ? 2 : 0, stdout: `${RELEASE_USAGE}\n` };
  }
  const { values, positionals } = parse(rest);
  if (values.help) return { exitCode: 0, stdout: `${RELEASE_USAGE}\n` };
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${RELEASE_USAGE}`);
  }
  switch (action) {
    case 'deploy':
    case 'migrate': {
      only(
        values,
        ['release', 'namespace', 'chart', 'values', 'set-string', 'timeout', 'kubeconfig', 'out'],
        action,
      );
      const spec = chartRelease(values);
      const outcome = await deployRelease(spec, {
        timeoutSeconds: duration('timeout', values.timeout, 600),
        ...(values.kubeconfig === undefined ? {} : { kubeconfig: resolve(values.kubeconfig) }),
        migrationsOnly: action === 'migrate',
        onProgress: progress,
      });
      if (values.out !== undefined) {
        await writeReportFile(resolve(values.out), `${JSON.stringify(outcome, null, 2)}\n`);
      }
      const ok = outcome.status === 'deployed' || outcome.status === 'migrated';
      return { exitCode: ok ? 0 : 1, stdout: deployText(outcome) };
    }
    case 'prove':
      only(
        values,
        [
          'sandbox-dir',
          'release',
          'chart',
          'scenario',
          'rate',
          'path',
          'bad-timeout',
          'timeout',
          'expectations',
          'out',
        ],
        action,
      );
      return prove(values, progress);
    default:
      throw new UsageError(`unknown release subcommand '${action}'\n\n${RELEASE_USAGE}`);
  }
}
