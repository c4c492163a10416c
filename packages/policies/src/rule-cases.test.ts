import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildPlan } from '../test-fixtures/plan-builder.ts';
import { RULE_CASES, type RuleCase } from '../test-fixtures/rule-cases.ts';
import { PolicyBundle } from './policy-bundle.ts';
import { runPolicyCheck } from './policy-check.ts';

const bundle = await PolicyBundle.load();
const { rules } = await bundle.evaluate({
  kind: 'terraform-plan',
  params: {},
  plan: { format_version: '1.2', resource_changes: [] },
});
const dir = await mkdtemp(join(tmpdir(), 'stackproof-rule-cases-'));

async function findingsOf(ruleId: string, ruleCase: RuleCase, which: 'pass' | 'fail') {
  const file = join(dir, `${ruleId}.${which}.${ruleCase.target === 'terraform' ? 'json' : 'yaml'}`);
  const content =
    ruleCase.target === 'terraform'
      ? JSON.stringify(buildPlan(ruleCase[which]))
      : ruleCase[which].map((o) => stringify(o)).join('---\n');
  await writeFile(file, content);
  const report = await runPolicyCheck({ target: file, version: 'test', bundle });
  return report.findings.filter((f) => f.rule === ruleId);
}

describe('every rule has a passing and a failing case (TypeScript, through the wasm bundle)', () => {
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has a case for every rule in the bundle', () => {
    const missing = rules.map((r) => r.id).filter((id) => RULE_CASES[id] === undefined);
    expect(missing, 'add these to test-fixtures/rule-cases.ts').toEqual([]);
  });

  it('has no case for a rule the bundle no longer has', () => {
    const ids = new Set(rules.map((r) => r.id));
    const stale = Object.keys(RULE_CASES).filter((id) => !ids.has(id));
    expect(stale, 'remove these from test-fixtures/rule-cases.ts').toEqual([]);
  });

  for (const rule of rules) {
    const ruleCase = RULE_CASES[rule.id];
    if (ruleCase === undefined) continue;
    it(`${rule.id}: the passing case passes`, async () => {
      const findings = await findingsOf(rule.id, ruleCase, 'pass');
      expect(findings.length, 'the rule did not apply to its passing case').toBeGreaterThan(0);
      expect(
        findings.filter((f) => f.status !== 'pass').map((f) => `${f.address}: ${f.message}`),
      ).toEqual([]);
    });
    it(`${rule.id}: the failing case fails`, async () => {
      const findings = await findingsOf(rule.id, ruleCase, 'fail');
      expect(
        findings.some((f) => f.status === 'fail'),
        JSON.stringify(findings),
      ).toBe(true);
    });
  }
});
