/**
 * The releases the proof makes, each under steady load. Each is a realistic release, made with
 * values the chart takes from anyone (never a switch built into the service for the test):
 */
export type ScenarioName = 'unsafe-strategy' | 'good-release' | 'bad-release' | 'failed-migration';

export const SCENARIO_NAMES: readonly ScenarioName[] = [
  'unsafe-strategy',
  'good-release',
  'bad-release',
  'failed-migration',
];

export interface ScenarioSpec {
  readonly name: ScenarioName;
  readonly title: string;
  /** What the release is and why it is realistic. */
  readonly description: string;
  /** Values over the release's own (the image tag is set per run, so every release rolls pods). */
  readonly values: Readonly<Record<string, unknown>>;
  /** The database's migration history forgets its newest entry first (see migration-drift.ts). */
  readonly driftMigrations: boolean;
  /** The control: its zero-failed check is expected to fail. */
  readonly control: boolean;
}

export const SCENARIOS: Readonly<Record<ScenarioName, ScenarioSpec>> = {
  'unsafe-strategy': {
    name: 'unsafe-strategy',
    title: 'Control: a rollout strategy that allows unavailability',
    description:
      'A new version with rollingUpdateMaxUnavailable 100%: every old pod goes at once, before a new one is Ready. The zero-failed-requests check must fail here, or it cannot tell a safe rollout from an unsafe one.',
    values: { rollingUpdateMaxUnavailable: '100%' },
    driftMigrations: false,
    control: true,
  },
  'good-release': {
    name: 'good-release',
    title: 'A good release rolls out',
    description:
      'A new version of the backend with the chart defaults (maxUnavailable 0, readiness probe, PDB, preStop sleep): migrations first, then helm upgrade --atomic.',
    values: {},
    driftMigrations: false,
    control: false,
  },
  'bad-release': {
    name: 'bad-release',
    title: 'A bad release is rolled back by --atomic',
    description:
      'A new version whose configuration the backend refuses at start (backendEnv LOG_LEVEL=verbose: exit 2, "invalid backend configuration"), so its pods crash-loop and never become Ready; helm upgrade --atomic must roll it back within its timeout while the old pods keep serving.',
    values: { backendEnv: { LOG_LEVEL: 'verbose' } },
    driftMigrations: false,
    control: false,
  },
  'failed-migration': {
    name: 'failed-migration',
    title: 'A failed migration stops the release before any pod changes',
    description:
      "A new version whose migration fails against the live schema (the migration history lost its newest entry while the table it created stays, as after a hand-made change: the migration's CREATE TABLE fails). The migrations step fails (after the Job's retries) and helm is never run.",
    values: {},
    driftMigrations: true,
    control: false,
  },
};

/** `good-release,bad-release` → the names, in the proof's order; unknown names are listed. */
export function parseScenarioList(text: string): ScenarioName[] | { readonly unknown: string[] } {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !(SCENARIO_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0)
    return { unknown: names.length === 0 ? [text] : unknown };
  return SCENARIO_NAMES.filter((n) => names.includes(n));
}
