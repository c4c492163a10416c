// Generates the property catalogue from its two sources:
//   - the Rego METADATA of the policy gate's rules (title, severity, description, remediation,
//     references, and the rule's file and line), read with `opa inspect -a`;
//   - packages/core/catalogue/properties.json (every id: where it is established, what the plan,
//     live and chaos proofs read and whether they exist; title & co. for ids without a plan rule).
// It writes packages/core/src/properties.generated.ts and docs/properties.md.
//
// Usage: node packages/core/scripts/generate-catalogue.ts [--check] [--source F] [--generated F] [--docs F]
//   --check  writes nothing; exits 1 naming the stale file when either differs from what the
//            sources give (the core test suite runs this).
// OPA_BIN or `opa` on PATH (make tools builds it).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { PropertyInfo } from '../src/properties.ts';
import { repoPath } from '../src/repo-paths.ts';
import type { Severity } from '../src/verdicts.ts';

const REGO_DIR = repoPath('packages', 'policies', 'rego');
// The paths can be overridden (--source/--generated/--docs FILE) so the staleness check's own test
// can show that it fails on a changed source.
function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] !== undefined ? (process.argv[at + 1] as string) : fallback;
}
const SOURCE = option('source', repoPath('packages', 'core', 'catalogue', 'properties.json'));
const GENERATED = option(
  'generated',
  repoPath('packages', 'core', 'src', 'properties.generated.ts'),
);
const DOCS = option('docs', repoPath('docs', 'properties.md'));
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

interface RuleMeta {
  id: string;
  title: string;
  severity: string;
  description: string;
  remediation: string;
  references: string[];
  file: string;
  line: number;
}

interface SourceEntry {
  id: string;
  title?: string;
  family?: string;
  severity?: string;
  description?: string;
  section: string;
  where: string;
  claim: string;
  plan: { evidence: string; why?: string };
  live: { evidence: string; checked: boolean; why?: string };
  chaos?: { experiments: string[]; note: string; exercised: boolean; why?: string };
}

function fail(message: string): never {
  process.stderr.write(`generate-catalogue: ${message}\n`);
  process.exit(2);
}

function readRuleMetadata(): Map<string, RuleMeta> {
  const opa = process.env.OPA_BIN || 'opa';
  let out: string;
  try {
    out = execFileSync(opa, ['inspect', '-a', '--format', 'json', REGO_DIR], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    fail(
      `cannot run '${opa} inspect' (${(error as Error).message.split('\n')[0]}); run 'make tools' and '. ~/.cache/stackproof/env.sh'`,
    );
  }
  const parsed = JSON.parse(out) as {
    annotations: {
      annotations: {
        scope: string;
        title: string;
        description: string;
        custom?: Record<string, unknown>;
      };
      location: { file: string; row: number };
    }[];
  };
  const rules = new Map<string, RuleMeta>();
  for (const { annotations: a, location } of parsed.annotations) {
    if (a.scope !== 'rule' || location.file.endsWith('_test.rego')) continue;
    const custom = a.custom ?? {};
    if (typeof custom.id !== 'string') continue;
    rules.set(custom.id, {
      id: custom.id,
      title: a.title,
      severity: String(custom.severity),
      description: a.description.trim(),
      remediation: String(custom.remediation ?? '').trim(),
      references: (custom.references as string[] | undefined) ?? [],
      file: relative(repoPath(), location.file),
      line: location.row,
    });
  }
  return rules;
}

function merge(source: SourceEntry[], rules: Map<string, RuleMeta>): PropertyInfo[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const merged = source.map((entry): PropertyInfo => {
    if (seen.has(entry.id)) problems.push(`${entry.id} is listed twice`);
    seen.add(entry.id);
    const rule = rules.get(entry.id);
    const own = ['title', 'family', 'severity', 'description'] as const;
    if (rule !== undefined) {
      for (const key of own) {
        if (entry[key] !== undefined)
          problems.push(`${entry.id}: ${key} comes from the rule's METADATA; remove it here`);
      }
      if (entry.plan.why !== undefined)
        problems.push(`${entry.id} has a plan rule (${rule.file}); remove plan.why`);
    } else {
      for (const key of own) {
        if (entry[key] === undefined)
          problems.push(`${entry.id} has no plan rule, so it needs ${key} here`);
      }
      if (entry.plan.why === undefined)
        problems.push(`${entry.id} has no plan rule; say why in plan.why`);
    }
    if (!entry.live.checked && entry.live.why === undefined)
      problems.push(`${entry.id} is not checked live; say why in live.why`);
    if (entry.chaos !== undefined && !entry.chaos.exercised && entry.chaos.why === undefined)
      problems.push(`${entry.id}: chaos not exercised; say why in chaos.why`);
    const severity = rule?.severity ?? entry.severity ?? '';
    if (!SEVERITIES.includes(severity)) problems.push(`${entry.id}: severity '${severity}'`);
    const { plan, live, chaos } = entry;
    return {
      id: entry.id,
      family: entry.id.split('.')[0] ?? '',
      title: rule?.title ?? entry.title ?? '',
      severity: severity as Severity,
      description: rule?.description ?? entry.description ?? '',
      ...(rule !== undefined ? { remediation: rule.remediation } : {}),
      references: rule?.references ?? [],
      section: entry.section,
      where: entry.where,
      claim: entry.claim,
      plan: {
        evidence: plan.evidence,
        ...(rule !== undefined
          ? { rule: { file: rule.file, line: rule.line } }
          : { why: plan.why ?? '' }),
      },
      live,
      ...(chaos !== undefined ? { chaos } : {}),
    };
  });
  for (const id of rules.keys()) {
    if (!seen.has(id)) problems.push(`rule ${id} (${rules.get(id)?.file}) is not in ${SOURCE}`);
  }
  if (problems.length > 0) fail(`the catalogue is inconsistent:\n  - ${problems.join('\n  - ')}`);
  return merged;
}

function renderGenerated(merged: PropertyInfo[]): string {
  return `// Generated by packages/core/scripts/generate-catalogue.ts from the Rego METADATA and
// packages/core/catalogue/properties.json. Do not edit: run 'pnpm --filter @stackproof/core catalogue'.
import type { PropertyInfo } from './properties.ts';

export const PROPERTY_CATALOGUE: readonly PropertyInfo[] = ${JSON.stringify(merged, null, 2)};
`;
}

type Merged = PropertyInfo;

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function renderDocs(merged: Merged[]): string {
  const count = (pred: (p: Merged) => boolean) => merged.filter(pred).length;
  const lines = [
    '# Property catalogue',
    '',
    "<!-- Generated by `node packages/core/scripts/generate-catalogue.ts` from the rules' METADATA and",
    '     packages/core/catalogue/properties.json; do not edit by hand: the core test suite fails when',
    '     this file is stale. -->',
    '',
    'Every property stackproof proves has one id, used by the policy gate (on the plan), the live suite',
    '(after apply) and, for availability claims, a chaos or load experiment. Ids are `<family>.<name>`.',
    'The reference stack in `terraform/aws/` and `charts/` has every property below.',
    '',
    `${merged.length} properties: ${count((p) => p.plan.rule !== undefined)} with a plan rule, ` +
      `${count((p) => p.live.checked)} checked live, ${count((p) => p.chaos?.exercised === true)} exercised by an experiment.`,
    '',
    'Columns: **plan** is what the policy gate reads (✓ a rule exists today, linked to its Rego; — none,',
    'and why); **live** is what the live suite asks AWS or Kubernetes (✓ checked today; — not, and why);',
    '**chaos / load** names the experiments that exercise it (✓ today; — not yet, and why).',
  ];
  const sections = [...new Set(merged.map((p) => p.section))];
  for (const section of sections) {
    lines.push('', `## ${section}`, '');
    lines.push('| id | property | severity | where | plan | live | chaos / load |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const p of merged.filter((m) => m.section === section)) {
      const plan =
        p.plan.rule !== undefined
          ? `✓ ${p.plan.evidence} ([rule](../${p.plan.rule.file}#L${p.plan.rule.line}))`
          : `— ${p.plan.why}`;
      const live = p.live.checked
        ? `✓ ${p.live.evidence}`
        : `— ${p.live.why} (reads ${p.live.evidence})`;
      const chaos =
        p.chaos === undefined
          ? ''
          : p.chaos.exercised
            ? `✓ ${p.chaos.note}`
            : `— ${p.chaos.why} (${p.chaos.note})`;
      lines.push(
        `| \`${p.id}\` | ${cell(p.title)}: ${cell(p.claim)} | ${p.severity} | ${cell(p.where)} | ${cell(plan)} | ${cell(live)} | ${cell(chaos)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const source = JSON.parse(readFileSync(SOURCE, 'utf8')) as { properties: SourceEntry[] };
const merged = merge(source.properties, readRuleMetadata());
const outputs: [string, string][] = [
  [GENERATED, renderGenerated(merged)],
  [DOCS, renderDocs(merged)],
];
if (process.argv.includes('--check')) {
  const stale = outputs.filter(([file, text]) => {
    try {
      return readFileSync(file, 'utf8') !== text;
    } catch {
      return true;
    }
  });
  if (stale.length > 0) {
    process.stderr.write(
      `stale: ${stale.map(([f]) => relative(repoPath(), f)).join(', ')}; run 'pnpm --filter @stackproof/core catalogue'\n`,
    );
    process.exit(1);
  }
} else {
  for (const [file, text] of outputs) writeFileSync(file, text);
  process.stdout.write(`catalogue: ${merged.length} properties\n`);
}
