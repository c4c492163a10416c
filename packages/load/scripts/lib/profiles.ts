// Load profiles shared by the scripts: one place decides what "steady" means.
import type { Scenario } from 'k6/options';

/** Reads a positive number from __ENV, or the default; a typo must not silently become NaN. */
export function envNumber(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name}=${raw} is not a positive number`);
  }
  return value;
}

/**
 * Steady arrival rate: the steady-state probe used alone for smoke runs and during chaos
 * experiments. Bounded in time (duration) and in count (rate x duration).
 */
export function steadyArrival(exec: string, rate: number, duration: string): Scenario {
  return {
    executor: 'constant-arrival-rate',
    exec,
    rate,
    timeUnit: '1s',
    duration,
    preAllocatedVUs: Math.min(Math.ceil(rate / 10) + 1, 20),
    maxVUs: Math.min(Math.ceil(rate / 5) + 2, 50),
    gracefulStop: '5s',
    tags: { phase: 'steady' },
  };
}
