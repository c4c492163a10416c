import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  combineVerdicts,
  type EvidenceEvent,
  StackproofError,
  type Verdict,
} from '@stackproof/core';
import { writeReportFile } from '@stackproof/report';
import type { LoadPlan } from './k6-plan.ts';
import { readK6Output } from './k6-samples.ts';
import type { ScenarioName } from './load-expectations.ts';
import { loadReportHtml, loadReportJunit } from './load-report.ts';
import {
  SCALE_OUT_PROPERTY,
  type ScaleOutBounds,
  type ScaleOutTimings,
  scaleOutEvidence,
  thresholdEvidence,
} from './scale-out-contract.ts';
import { ThresholdEvaluator, type ThresholdVerdict } from './thresholds.ts';
import { type Timeline, TimelineBuilder } from './timeline.ts';

/** Everything needed to judge a run's raw samples, written to `plan.json` before the load starts. */
export interface RunPlan {
  readonly format: 1;
  readonly scenario: ScenarioName;
  readonly target: string;
  /** `namespace/name` of the sampled HPA, when the cluster is sampled. */
  readonly hpa?: string;
  readonly instances: number;
  /** The `-e` values the script ran with (the kubeconfig path included, never its content). */
  readonly scriptEnv: Readonly<Record<string, string>>;
  readonly plan: LoadPlan;
  /** The scale-out contract's bounds (scale-out only). */
  readonly bounds?: ScaleOutBounds;
}

export interface LoadSummary {
  readonly scenario: ScenarioName;
  readonly target: string;
  readonly hpa?: string;
  readonly instances: number;
  readonly verdict: Verdict;
  readonly passed: boolean;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly requests: {
    readonly total: number;
    readonly failed: number;
    readonly dropped: number;
    readonly perInstance: readonly number[];
  };
  readonly phases: LoadPlan['phases'];
  readonly thresholds: readonly ThresholdVerdict[];
  readonly timings?: ScaleOutTimings;
  readonly sampling: Timeline['sampling'];
  readonly evidence: readonly EvidenceEvent[];
  /** One line per broken bound: what was measured and what would have passed. */
  readonly failures: readonly string[];
  readonly files: Readonly<Record<string, string>>;
}

export class RunPlanError extends StackproofError {
  constructor(file: string, reason: string) {
    super(
      'LOAD_PLAN_INVALID',
      'bad-input',
      `${file}: ${reason}; it is the plan.json written by 'stackproof load run' or 'stackproof load manifest'`,
    );
  }
}

export async function readRunPlan(file: string): Promise<RunPlan> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new RunPlanError(
      file,
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : `not JSON (${(error as Error).message})`,
    );
  }
  const plan = doc as Partial<RunPlan>;
  if (
    plan.format !== 1 ||
    typeof plan.scenario !== 'string' ||
    plan.plan === undefined ||
    !Array.isArray(plan.plan.phases)
  ) {
    throw new RunPlanError(file, 'not a stackproof load plan (format 1)');
  }
  return plan as RunPlan;
}

/**
 * Judges a run on the raw samples of every k6 process that took part (one local process, N local
 * processes with execution segments, or the N runners of a k6-operator TestRun): thresholds on the
 * merged samples, the timeline on one clock, the scale-out contract as evidence events. Writes
 * timeline.json, summary.json, evidence.jsonl, junit.xml and report.html into `outDir`.
 */
export async function judgeRun(
  runPlan: RunPlan,
  outputs: readonly string[],
  outDir: string,
): Promise<LoadSummary> {
  const evaluator = new ThresholdEvaluator(runPlan.plan.thresholds);
  const builder = new TimelineBuilder(runPlan.plan.phases.map((p) => p.name));
  const perInstance: number[] = [];
  for (const file of outputs) {
    let requests = 0;
    await readK6Output(file, {
      metricType: (name, type) => evaluator.metricType(name, type),
      sample: (s) => {
        evaluator.add(s);
        builder.sample(s);
        if (s.metric === 'http_reqs' && s.tags.phase !== undefined && s.tags.phase !== 'setup')
          requests += s.value;
      },
    });
    perInstance.push(requests);
  }
  const timeline = builder.build(runPlan.plan);
  const thresholds = evaluator.verdicts(runPlan.plan.totalSeconds);
  const subject = runPlan.hpa ?? runPlan.target;
  const at = new Date(timeline.startMs + runPlan.plan.totalSeconds * 1000);
  let events: EvidenceEvent[];
  let timings: ScaleOutTimings | undefined;
  if (runPlan.scenario === 'scale-out') {
    if (runPlan.bounds === undefined)
      throw new RunPlanError('plan.json', 'a scale-out plan without bounds');
    ({ events, timings } = scaleOutEvidence({
      timeline,
      thresholds,
      bounds: runPlan.bounds,
      subject,
      at,
    }));
  } else if (runPlan.scenario === 'spike') {
    // the spike is evidence of the same property: the service absorbs a surge while the HPA
    // catches up, within each phase's latency and error budgets
    events = thresholdEvidence(thresholds, SCALE_OUT_PROPERTY, subject, at);
  } else {
    // steady is the probe of chaos runs: its verdict is its thresholds; the experiment that runs
    // it owns the property the evidence is about
    events = [];
  }
  const total = perInstance.reduce((a, b) => a + b, 0);
  const verdicts: Verdict[] = [
    ...events.map((e) => e.status),
    ...thresholds.map((t): Verdict => (t.passed ? 'pass' : 'fail')),
  ];
  const failures = [
    ...events
      .filter((e) => e.status === 'fail' || e.status === 'unknown')
      .map(
        (e) =>
          `${e.check ?? e.property}: ${e.detail}${e.expected === undefined ? '' : `; expected ${e.expected}`}`,
      ),
    ...(runPlan.scenario === 'steady'
      ? thresholds
          .filter((t) => !t.passed)
          .map(
            (t) =>
              `${t.metric}: ${t.expression} crossed (${round4(t.value)} over ${t.samples} samples)`,
          )
      : []),
  ];
  if (total === 0) {
    verdicts.push('fail');
    failures.push('load-sent: no request of a load phase was recorded: nothing was proven');
  }
  const verdict = combineVerdicts(verdicts) ?? 'unknown';
  const files = {
    plan: 'plan.json',
    timeline: 'timeline.json',
    summary: 'summary.json',
    evidence: 'evidence.jsonl',
    junit: 'junit.xml',
    report: 'report.html',
  };
  const summary: LoadSummary = {
    scenario: runPlan.scenario,
    target: runPlan.target,
    ...(runPlan.hpa === undefined ? {} : { hpa: runPlan.hpa }),
    instances: runPlan.instances,
    verdict,
    passed: verdict === 'pass',
    startedAt: new Date(timeline.startMs).toISOString(),
    durationSeconds: timeline.points.length,
    requests: {
      total,
      failed: timeline.points.reduce((s, p) => s + p.failed, 0),
      dropped: timeline.points.reduce((s, p) => s + p.dropped, 0),
      perInstance,
    },
    phases: runPlan.plan.phases,
    thresholds,
    ...(timings === undefined ? {} : { timings }),
    sampling: timeline.sampling,
    evidence: events,
    failures,
    files,
  };
  await writeReportFile(join(outDir, files.timeline), `${JSON.stringify(timeline, null, 1)}\n`);
  await writeReportFile(join(outDir, files.summary), `${JSON.stringify(summary, null, 2)}\n`);
  await writeReportFile(
    join(outDir, files.evidence),
    events.map((e) => `${JSON.stringify(e)}\n`).join(''),
  );
  await writeReportFile(join(outDir, files.junit), loadReportJunit(summary));
  await writeReportFile(join(outDir, files.report), loadReportHtml(summary, timeline));
  return summary;
}

function round4(value: number): number {
  return Math.round(value * 10000) / 10000;
}
