import { evidence } from '@stackproof/core';
import { describe, expect, it } from 'vitest';
import { parseGameDayExpectations } from './gameday-expectations.ts';
import { gameDayJunit, gameDayStepSummary, propertyRows } from './gameday-report.ts';
import type { GameDayResult } from './run-gameday.ts';

// The report's joins on hand-built results (a real game day's report is checked by the sandbox
// test): a verdict per column, `no evidence` where the catalogue says a proof applies and a stage
// that ran produced none, `skipped` where the stage did not run, and the failing twin of each.

function result(overrides: Partial<GameDayResult>): GameDayResult {
  return {
    passed: true,
    target: 'sandbox /tmp/x',
    zone: 'me-central-1a',
    startedAt: '2026-11-29T12:00:00.000Z',
    seconds: 1,
    stages: [
      { name: 'preflight', status: 'pass', detail: 'ok', seconds: 1 },
      { name: 'scale-out', status: 'skipped', detail: 'skipped (--skip scale-out)' },
      { name: 'outage', status: 'pass', detail: 'ok', seconds: 1 },
      { name: 'recovery', status: 'pass', detail: 'ok', seconds: 1 },
      { name: 'live-after', status: 'pass', detail: 'ok', seconds: 1 },
      { name: 'rollback', status: 'pass', detail: 'ok', seconds: 1 },
    ],
    evidence: [],
    timeline: { points: [], stages: [], faults: [] },
    gate: { plans: [], chart: true },
    outDir: '/tmp/x',
    ...overrides,
  };
}

const spread = 'k8s.topology-spread-zone';
const at = (stage: string, phase: 'plan' | 'live' | 'chaos', status: 'pass' | 'fail') =>
  evidence({
    property: spread,
    phase,
    status,
    subject: 'stackproof/backend',
    detail: `${phase} ${status}`,
    data: { stage },
  });

describe('the property table', () => {
  it('has a verdict per column from the stage that produced it, and a pass overall', () => {
    const rows = propertyRows(
      result({
        evidence: [
          at('preflight', 'plan', 'pass'),
          at('preflight', 'live', 'pass'),
          at('outage', 'chaos', 'pass'),
          at('recovery', 'chaos', 'pass'),
          at('live-after', 'live', 'pass'),
        ],
      }),
    );
    const row = rows.find((r) => r.property === spread);
    expect(row?.verdicts).toEqual({
      plan: 'pass',
      live: 'pass',
      load: '—',
      chaos: 'pass',
      liveAfter: 'pass',
    });
    expect(row?.overall).toBe('pass');
  });

  it('fails the row when one stage failed it (the one-zone twin), and says where evidence is missing', () => {
    const rows = propertyRows(
      result({
        passed: false,
        evidence: [at('preflight', 'plan', 'pass'), at('recovery', 'chaos', 'fail')],
      }),
    );
    const row = rows.find((r) => r.property === spread);
    expect(row?.verdicts.chaos).toBe('fail');
    // The live stages ran and said nothing about it: not a pass.
    expect(row?.verdicts.live).toBe('no evidence');
    expect(row?.overall).toBe('fail');
    expect(
      gameDayJunit(
        result({ evidence: row === undefined ? [] : [at('recovery', 'chaos', 'fail')] }),
      ),
    ).toMatch(
      new RegExp(
        `<testcase name="${spread.replaceAll('.', '\\.')}" classname="gameday.property"[^>]*>\\s*<failure`,
      ),
    );
  });

  it('marks a column skipped when its stage did not run, never passed', () => {
    const rows = propertyRows(result({}));
    const hpa = rows.find((r) => r.verdicts.load !== '—');
    expect(hpa?.verdicts.load).toBe('skipped');
    // No plan given: the Terraform properties' plan column was not checked; the chart's was.
    expect(rows.find((r) => r.property === 'rds.multi-az')?.verdicts.plan).toBe('skipped');
    expect(rows.find((r) => r.property === spread)?.verdicts.plan).toBe('no evidence');
    const withPlan = propertyRows(result({ gate: { plans: ['/p.json'], chart: true } }));
    expect(withPlan.find((r) => r.property === 'rds.multi-az')?.verdicts.plan).toBe('no evidence');
  });

  it('writes the step summary with the stop and the failing properties', () => {
    const md = gameDayStepSummary(
      result({
        passed: false,
        stopped: { stage: 'preflight', reason: 'the policy gate failed' },
        evidence: [at('preflight', 'plan', 'fail')],
      }),
    );
    expect(md).toContain('## stackproof game day: FAILED');
    expect(md).toContain('stopped at **preflight**');
    expect(md).toContain(`\`${spread}\``);
  });
});

describe('the gameday section of the expectations', () => {
  it('maps its keys onto the scale-out and outage overrides', () => {
    const parsed = parseGameDayExpectations({
      zone: 'me-central-1b',
      scaleOut: { sustainSeconds: 60, baselineSeconds: 0, errorBudget: 0.1 },
      outage: { faultSeconds: 30 },
    });
    expect(parsed.errors).toEqual([]);
    expect(parsed.config).toEqual({
      zone: 'me-central-1b',
      scaleOut: { durationSeconds: 60, baselineSeconds: 0, errorBudget: 0.1 },
      outage: { faultSeconds: 30 },
    });
    expect(parseGameDayExpectations(undefined).config).toEqual({ scaleOut: {}, outage: {} });
  });

  it('names each bad key, and warns about unknown ones', () => {
    const parsed = parseGameDayExpectations({
      zone: 'a',
      outage: { faultSeconds: 0 },
      scaleOut: { sustain: 60, errorBudget: 1 },
    });
    expect(parsed.config).toBeUndefined();
    expect(parsed.errors).toEqual([
      'gameday.zone must be an availability zone name such as me-central-1a',
      'gameday.outage.faultSeconds must be a positive number of seconds',
      'gameday.scaleOut.errorBudget must be a share of requests in [0, 1)',
    ]);
    expect(parsed.warnings[0]).toMatch(/unknown key gameday\.scaleOut\.sustain/);
  });
});
