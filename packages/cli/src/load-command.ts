import { join, resolve } from 'node:path';
import { readExpectationsFile, repoPath } from '@stackproof/core';
import {
  aggregateLoadRun,
  type LoadExpectations,
  type LoadRunOptions,
  type LoadRunOverrides,
  type LoadSummary,
  loadScript,
  operatorManifest,
  parseLoadExpectations,
  prepareRun,
  runLoad,
  SCENARIOS,
  type ScenarioName,
} from '@stackproof/load';
import { writeReportFile } from '@stackproof/report';
import { readSandboxState } from '@stackproof/sandbox';
import type { CliOutcome } from './cli-outcome.ts';
import { durationFlag } from './duration-flag.ts';
import { numberFlag, parseFlags } from './flags.ts';
import { UsageError } from './usage-error.ts';

const RUN_OPTIONS_HELP = `  --scenario scale-out|steady|spike   what to run (default scale-out)
  --target URL                 base URL under load (default: the running sandbox's backend)
  --hpa NAMESPACE/NAME         the HPA to sample every second (default: the expectations' load.hpa)
  --no-cluster                 do not sample the cluster (steady and spike only)
  --kubeconfig FILE            for the sampler (default: the sandbox's, else KUBECONFIG, else
                               in-cluster, else ~/.kube/config)
  --expectations FILE          bounds and profiles (default: expectations/sandbox.json against the
                               sandbox, expectations/staging.json otherwise)
  --rate N                     target rate, req/s (scale-out: sustain; steady: all; spike: spike)
  --base-rate N                baseline rate, req/s
  --duration D                 scale-out: sustain; steady: the whole run; spike: the spike (90s, 2m)
  --ramp D, --baseline D, --cooldown D   other phase lengths (cooldown: spike's recovery)
  --path PATH                  path requested under load (default: the expectations' load.path)
  --p95-ms MS                  latency budget of every phase (default: per phase, expectations)
  --error-budget R             share of requests allowed to fail per phase (default 1 - availabilitySlo)
  --min-peak N                 desired replicas the scale-out must reach
  --scale-out-seconds S        ...within S s of the ramp reaching the target rate
  --ready-seconds S            ready replicas follow desired within S s
  --scale-in-seconds S         desired back at minReplicas within S s of the drop
  --phase NAME                 phase tag of a steady run (default steady)
  --instances N                k6 processes splitting the load (execution segments; default 1)
  --connection-reuse           keep connections between iterations (default: a new one each,
                               so the per-connection balancing reaches new pods; see the README)
  --env KEY=VALUE              extra -e for the k6 script (repeatable)
  --sandbox-dir DIR            the sandbox used by default (default .sandbox)`;

export const LOAD_USAGE = `Usage: stackproof load <run | manifest | aggregate> [options]

  run         drive load with k6 and judge it (the scale-out contract, per-phase thresholds)
  manifest    write a k6-operator TestRun (script in a ConfigMap) for a distributed run
  aggregate   merge the runners' raw outputs of a distributed run into one verdict and report

stackproof load run [options]
${RUN_OPTIONS_HELP}
  --out DIR                    where the report goes (default .reports/load; --report is the same)

  Writes DIR/timeline.json (per second: rate, p50/p95, errors, desired/current/ready replicas,
  CPU), summary.json, evidence.jsonl, junit.xml, report.html, plan.json and raw/ (k6's samples).

stackproof load manifest --instances N [run options] [--name NAME] [--namespace NS]
    [--runner-image IMAGE] [--results-claim CLAIM] [--storage-class CLASS] [--out DIR]
  Writes DIR/testrun.json (a List: ConfigMap with the k6 archive, ServiceAccount and Role for the
  sampler, a ReadWriteMany claim for the outputs, the TestRun) and DIR/plan.json.

stackproof load aggregate DIR [--out DIR2]
  DIR holds plan.json and each runner's k6 JSON output (*.json or *.json.gz).

Exit status: 0 the contract held, 1 it did not (the report names each bound and the value),
2 bad input, target down (setup() failed) or k6 missing / without xk6-kubernetes, 3 internal.`;

const OPTIONS = {
  scenario: { type: 'string' },
  target: { type: 'string' },
  hpa: { type: 'string' },
  'no-cluster': { type: 'boolean' },
  kubeconfig: { type: 'string' },
  expectations: { type: 'string' },
  rate: { type: 'string' },
  'base-rate': { type: 'string' },
  duration: { type: 'string' },
  ramp: { type: 'string' },
  baseline: { type: 'string' },
  cooldown: { type: 'string' },
  path: { type: 'string' },
  'p95-ms': { type: 'string' },
  'error-budget': { type: 'string' },
  'min-peak': { type: 'string' },
  'scale-out-seconds': { type: 'string' },
  'ready-seconds': { type: 'string' },
  'scale-in-seconds': { type: 'string' },
  phase: { type: 'string' },
  instances: { type: 'string' },
  'connection-reuse': { type: 'boolean' },
  env: { type: 'string', multiple: true },
  'sandbox-dir': { type: 'string' },
  out: { type: 'string' },
  report: { type: 'string' },
  name: { type: 'string' },
  namespace: { type: 'string' },
  'runner-image': { type: 'string' },
  'results-claim': { type: 'string' },
  'storage-class': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: readonly string[]) {
  return parseFlags(args, OPTIONS, LOAD_USAGE);
}

function overridesFrom(v: Values): LoadRunOverrides {
  const entries: [keyof LoadRunOverrides, unknown][] = [
    ['rate', numberFlag('rate', v.rate)],
    ['baseRate', numberFlag('base-rate', v['base-rate'])],
    ['durationSeconds', durationFlag('duration', v.duration, true)],
    ['rampSeconds', durationFlag('ramp', v.ramp, true)],
    ['baselineSeconds', durationFlag('baseline', v.baseline, true)],
    ['cooldownSeconds', durationFlag('cooldown', v.cooldown, true)],
    ['p95Ms', numberFlag('p95-ms', v['p95-ms'])],
    ['errorBudget', numberFlag('error-budget', v['error-budget'], true)],
    ['minPeakReplicas', numberFlag('min-peak', v['min-peak'])],
    ['scaleOutSeconds', numberFlag('scale-out-seconds', v['scale-out-seconds'])],
    ['readySeconds', numberFlag('ready-seconds', v['ready-seconds'])],
    ['scaleInSeconds', numberFlag('scale-in-seconds', v['scale-in-seconds'])],
    ['path', v.path],
    ['phaseName', v.phase],
  ];
  if (v['error-budget'] !== undefined && Number(v['error-budget']) >= 1) {
    throw new UsageError(
      `--error-budget must be below 1 (a share of requests), got '${v['error-budget']}'`,
    );
  }
  if (v.path !== undefined && !v.path.startsWith('/'))
    throw new UsageError(`--path must start with /, got '${v.path}'`);
  if (v.phase !== undefined && !/^[a-z][a-z0-9-]*$/.test(v.phase)) {
    throw new UsageError(`--phase must be a lowercase name, got '${v.phase}'`);
  }
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as LoadRunOverrides;
}

function extraEnv(values: readonly string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of values ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env expects KEY=VALUE, got '${entry}'`);
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Resolves target, kubeconfig, HPA and expectations from the flags, the sandbox and the file. */
async function runOptions(
  v: Values,
): Promise<{ options: Omit<LoadRunOptions, 'outDir'>; warnings: string[] }> {
  const scenario = (v.scenario ?? 'scale-out') as ScenarioName;
  if (!SCENARIOS.includes(scenario)) {
    throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}; got '${v.scenario}'`);
  }
  let target = v.target;
  let kubeconfig = v.kubeconfig;
  let onSandbox = false;
  if (target === undefined) {
    const dir = resolve(v['sandbox-dir'] ?? '.sandbox');
    const state = await readSandboxState(dir);
    const backend = state?.services.backend;
    if (state === undefined || backend === undefined) {
      throw new UsageError(
        `no --target given and no sandbox running in ${dir}: pass --target URL, or start one with 'stackproof sandbox up'`,
      );
    }
    target = backend;
    kubeconfig ??= state.kubeconfig;
    onSandbox = true;
  }
  kubeconfig ??= process.env.KUBECONFIG?.split(':')[0] || undefined;
  const file =
    v.expectations ?? repoPath('expectations', onSandbox ? 'sandbox.json' : 'staging.json');
  const { config: common, warnings } = await readExpectationsFile(file);
  const parsed = parseLoadExpectations(common.sections.load, common);
  if (parsed.config === undefined) throw new UsageError(`${file}: ${parsed.errors.join('; ')}`);
  const expectations: LoadExpectations = parsed.config;
  if (v['no-cluster'] && scenario === 'scale-out') {
    throw new UsageError(
      '--no-cluster: the scale-out contract is judged on the sampled HPA; use it with steady or spike',
    );
  }
  const hpa = v['no-cluster'] ? undefined : (v.hpa ?? expectations.hpa);
  if (hpa !== undefined && !/^[a-z0-9][-a-z0-9]*\/[a-z0-9][-.a-z0-9]*$/.test(hpa)) {
    throw new UsageError(`--hpa must be NAMESPACE/NAME, got '${hpa}'`);
  }
  return {
    options: {
      scenario,
      target,
      ...(hpa === undefined ? {} : { hpa }),
      ...(kubeconfig === undefined || hpa === undefined ? {} : { kubeconfig }),
      expectations,
      overrides: overridesFrom(v),
      instances: numberFlag('instances', v.instances) ?? 1,
      connectionReuse: v['connection-reuse'] ?? false,
      extraEnv: extraEnv(v.env),
    },
    warnings: [...warnings, ...parsed.warnings].map((w) => `${file}: ${w}`),
  };
}

function verdictText(summary: LoadSummary, outDir: string): string {
  const lines = [
    `${summary.passed ? 'PASS' : summary.verdict.toUpperCase()} load ${summary.scenario} against ${summary.target}${summary.hpa === undefined ? '' : ` (HPA ${summary.hpa})`}: ${summary.requests.total} requests, ${summary.requests.failed} failed, ${summary.instances} k6 process(es)`,
  ];
  for (const e of summary.evidence) {
    lines.push(
      `  ${e.status.padEnd(7)} ${(e.check ?? e.property).padEnd(28)} ${e.detail}${e.status === 'fail' && e.expected !== undefined ? `; expected ${e.expected}` : ''}`,
    );
  }
  if (summary.evidence.length === 0) {
    for (const t of summary.thresholds) {
      lines.push(
        `  ${t.passed ? 'pass   ' : 'fail   '} ${t.metric}: ${t.expression} (${Math.round(t.value * 10000) / 10000} over ${t.samples} samples)`,
      );
    }
  }
  if (summary.timings?.firstDesiredChangeSeconds !== undefined) {
    const t = summary.timings;
    lines.push(
      `  timings: first desired change ${t.firstDesiredChangeSeconds ?? '—'} s, first ready change ${t.firstReadyChangeSeconds ?? '—'} s after the ramp reached the target rate; peak desired ${t.peakDesired ?? '—'}, ready ${t.peakReady ?? '—'}; back at min ${t.scaledInSeconds ?? '—'} s after the drop`,
    );
  }
  lines.push(`report: ${join(outDir, 'report.html')} (and timeline.json, summary.json, junit.xml)`);
  return `${lines.join('\n')}\n`;
}

/** `stackproof load …`. Progress goes to stderr as it happens. */
export async function loadCommand(
  args: readonly string[],
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<CliOutcome> {
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h') {
    return { exitCode: action === undefined ? 2 : 0, stdout: `${LOAD_USAGE}\n` };
  }
  const { values, positionals } = parse(rest);
  if (values.help) return { exitCode: 0, stdout: `${LOAD_USAGE}\n` };
  switch (action) {
    case 'run': {
      if (positionals.length > 0)
        throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${LOAD_USAGE}`);
      const { options, warnings } = await runOptions(values);
      for (const w of warnings) progress(`warning: ${w}`);
      const outDir = resolve(values.out ?? values.report ?? join('.reports', 'load'));
      progress(
        `load ${options.scenario} → ${options.target}${options.hpa === undefined ? '' : ` (sampling HPA ${options.hpa})`}, ${options.instances} k6 process(es); report in ${outDir}`,
      );
      const { summary } = await runLoad({
        ...options,
        outDir,
        onProgress: (line) => progress(line),
      });
      return { exitCode: summary.passed ? 0 : 1, stdout: verdictText(summary, outDir) };
    }
    case 'manifest': {
      if (positionals.length > 0)
        throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${LOAD_USAGE}`);
      if (values.instances === undefined)
        throw new UsageError('load manifest needs --instances N (the TestRun parallelism)');
      const { options } = await runOptions(values);
      const outDir = resolve(values.out ?? values.report ?? join('.reports', 'load-manifest'));
      const { runPlan, k6Path } = await prepareRun({ ...options, outDir });
      const name = values.name ?? `stackproof-${options.scenario}`;
      const namespace = values.namespace ?? 'stackproof-load';
      const manifest = await operatorManifest({
        name,
        namespace,
        runPlan,
        script: loadScript(options.scenario),
        k6Path,
        runnerImage: values['runner-image'] ?? 'stackproof/k6-xk6-kubernetes:v2.2.0',
        ...(values['results-claim'] === undefined ? {} : { resultsClaim: values['results-claim'] }),
        ...(values['storage-class'] === undefined ? {} : { storageClass: values['storage-class'] }),
      });
      await writeReportFile(join(outDir, 'testrun.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      await writeReportFile(join(outDir, 'plan.json'), `${JSON.stringify(runPlan, null, 2)}\n`);
      return {
        exitCode: 0,
        stdout: `wrote ${join(outDir, 'testrun.json')} (TestRun ${namespace}/${name}, parallelism ${runPlan.instances}) and ${join(outDir, 'plan.json')}
Run it:    kubectl create namespace ${namespace}; kubectl apply -f ${join(outDir, 'testrun.json')}
Then copy each runner's /results/<pod>.json.gz from the claim next to plan.json and judge them together:
           stackproof load aggregate ${outDir}
`,
      };
    }
    case 'aggregate': {
      const [dir, ...more] = positionals;
      if (dir === undefined || more.length > 0)
        throw new UsageError(`load aggregate needs exactly one DIR\n\n${LOAD_USAGE}`);
      const outDir = resolve(values.out ?? dir);
      const summary = await aggregateLoadRun(dir, outDir);
      return { exitCode: summary.passed ? 0 : 1, stdout: verdictText(summary, outDir) };
    }
    default:
      throw new UsageError(`unknown load subcommand '${action}'\n\n${LOAD_USAGE}`);
  }
}
