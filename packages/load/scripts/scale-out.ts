// Scale-out: proves the HPA adds replicas under load and removes them after. A ramping arrival
// rate in five phases, each its own scenario tagged `phase:<name>` with its own thresholds:
//
//   baseline   BASE_RATE for BASELINE        the floor holds, latency is the idle latency
//   ramp       BASE_RATE → RATE over RAMP    pods saturate until new ones are Ready
//   sustain    RATE for SUSTAIN              the scaled-out Deployment serves the target rate
//   drop       RATE → BASE_RATE over DROP
//   cooldown   BASE_RATE for COOLDOWN        long enough for the HPA to scale back in
//
// With HPA=NAMESPACE/NAME the same process samples the HPA, its Deployment and its pods' CPU every
// second (lib/cluster.ts); the stackproof runner judges the scale-out contract on that stream.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e HPA=stackproof/stackproof-backend \
//     -e KUBECONFIG_PATH=.sandbox/k8s/kubeconfig -e RATE=60 scale-out.ts
//
// LOAD_PATH (default /api/work?iterations=20000: CPU-bound, so CPU follows the rate), HEALTH_PATH,
// BASE_RATE (5), RATE (60), BASELINE (20s), RAMP (30s), SUSTAIN (90s), DROP (5s), COOLDOWN (180s),
// ERROR_BUDGET (0.01), P95_MS and P95_MS_<PHASE> (baseline 1000, ramp 5000, sustain 2000,
// drop 2000, cooldown 1000), SUMMARY_JSON, KUBECONFIG_PATH, CONNECTION_REUSE, MAX_VUS.
import type { Options } from 'k6/options';
import { type HpaRef, hpaFromEnv, resolveHpa, runSampler, samplerScenario } from './lib/cluster.ts';
import {
  envNumber,
  envSeconds,
  errorBudget,
  type Phase,
  phaseP95,
  phaseScenarios,
  phaseThresholds,
  sharedOptions,
  totalSeconds,
} from './lib/profiles.ts';
import { thresholdSummary } from './lib/summary.ts';
import { hit, requireHealthy, targetFromEnv } from './lib/target.ts';

const target = targetFromEnv('/api/work?iterations=20000');
const hpa = hpaFromEnv();
const baseRate = envNumber('BASE_RATE', 5);
const rate = envNumber('RATE', 60);

const phase = (
  name: string,
  seconds: number,
  fromRate: number,
  toRate: number,
  p95: number,
): Phase => ({
  name,
  seconds,
  fromRate,
  toRate,
  p95Ms: phaseP95(name, p95),
});

const phases: Phase[] = [
  phase('baseline', envSeconds('BASELINE', 20), baseRate, baseRate, 1000),
  phase('ramp', envSeconds('RAMP', 30), baseRate, rate, 5000),
  phase('sustain', envSeconds('SUSTAIN', 90), rate, rate, 2000),
  phase('drop', envSeconds('DROP', 5), rate, baseRate, 2000),
  phase('cooldown', envSeconds('COOLDOWN', 180), baseRate, baseRate, 1000),
];

export const options: Options = {
  ...sharedOptions(),
  scenarios: {
    ...phaseScenarios(phases, 'load'),
    ...(hpa === undefined ? {} : { sampler: samplerScenario(totalSeconds(phases), 'sample') }),
  },
  thresholds: phaseThresholds(phases, errorBudget()),
};

interface SetupData {
  readonly hpa?: HpaRef;
}

/** Fails fast, before any load is sent, when the target or the HPA cannot be reached. */
export function setup(): SetupData {
  requireHealthy(target);
  return hpa === undefined ? {} : { hpa: resolveHpa(hpa) };
}

export function load(): void {
  hit(target);
}

export function sample(data: SetupData): void {
  if (data.hpa !== undefined) runSampler(data.hpa, totalSeconds(phases));
}

export function handleSummary(data: object): Record<string, string> {
  return thresholdSummary(data);
}
