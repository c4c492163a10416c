// Spike: a sudden surge on top of a baseline, and the recovery after it. Shows what users see
// while the HPA is still catching up (latency and errors during `spike`) and that the service
// recovers without intervention.
//
//   baseline   BASE_RATE for BASELINE
//   surge      BASE_RATE → SPIKE_RATE over SURGE (a few seconds)
//   spike      SPIKE_RATE for SPIKE
//   recovery   BASE_RATE for RECOVERY
//
// BASE_URL (required), LOAD_PATH (default /api/work?iterations=20000), HEALTH_PATH, BASE_RATE (5),
// SPIKE_RATE (80), BASELINE (20s), SURGE (3s), SPIKE (40s), RECOVERY (60s), ERROR_BUDGET (0.01),
// P95_MS and P95_MS_<PHASE> (baseline 1000, surge 5000, spike 5000, recovery 1000), HPA,
// KUBECONFIG_PATH, SUMMARY_JSON, CONNECTION_REUSE, MAX_VUS.
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
const spikeRate = envNumber('SPIKE_RATE', 80);

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
  phase('surge', envSeconds('SURGE', 3), baseRate, spikeRate, 5000),
  phase('spike', envSeconds('SPIKE', 40), spikeRate, spikeRate, 5000),
  phase('recovery', envSeconds('RECOVERY', 60), baseRate, baseRate, 1000),
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
