// Steady load against one target: the steady-state probe that chaos runs and the rollback proof
// use, and the smoke run of the load package. One phase, `steady` (or PHASE), at a constant rate
// for any duration, with an error budget and a latency budget as its pass/fail contract.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e RATE=20 -e DURATION=10m -e ERROR_BUDGET=0.01 steady.ts
//
// BASE_URL      target, required (no default: a load run must never guess where to send traffic)
// LOAD_PATH     path requested under load (default /)
// HEALTH_PATH   path setup() checks before any load is sent (default /healthz)
// RATE          requests per second (default 10)
// DURATION      how long: 90s, 10m, 1h (default 2s)
// PHASE         the phase tag of every request (default steady), e.g. the experiment's name
// ERROR_BUDGET  share of requests allowed to fail (default 0.01)
// P95_MS        latency budget for the 95th percentile (default 1000)
// HPA           NAMESPACE/NAME: also sample that HPA, its Deployment and pods every second
// KUBECONFIG_PATH  kubeconfig for the sampler (default: in-cluster, then ~/.kube/config)
// SUMMARY_JSON  file handleSummary() writes the full summary to (optional)
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

const target = targetFromEnv('/');
const hpa = hpaFromEnv();
const phaseName = __ENV.PHASE ?? 'steady';
if (!/^[a-z][a-z0-9-]*$/.test(phaseName))
  throw new Error(`PHASE=${phaseName} must be a lowercase name`);
const rate = envNumber('RATE', 10);
const phases: Phase[] = [
  {
    name: phaseName,
    seconds: envSeconds('DURATION', 2),
    fromRate: rate,
    toRate: rate,
    p95Ms: phaseP95(phaseName, 1000),
  },
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
