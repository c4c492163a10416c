// The rules' METADATA is the single source of the catalog. This script reads it with
// `opa inspect -a` and
//   check  validates every check annotation against rego/metadata.schema.json, verifies that the
//          bundle's `rules` (policy.wasm) list exactly the annotated rules (a rule missing from
//          its family's `checks` list would silently never run) and that docs/policies.md is
//          current;
//   docs   (re)writes docs/policies.md.
// Usage: node scripts/policy-metadata.mjs check|docs   (OPA_BIN or opa on PATH)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import Ajv from 'ajv';

const policiesDir = fileURLToPath(new URL('..', import.meta.url));
const regoDir = `${policiesDir}rego`;
const docsPath = fileURLToPath(new URL('../../../docs/policies.md', import.meta.url));
const opa = process.env.OPA_BIN || 'opa';

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

function annotatedChecks() {
  const out = execFileSync(opa, ['inspect', '-a', '--format', 'json', regoDir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out)
    .annotations.filter(
      (a) => a.annotations.scope === 'rule' && !a.location.file.endsWith('_test.rego'),
    )
    .map((a) => ({
      ...a.annotations,
      file: a.location.file.slice(a.location.file.indexOf('rego/')),
      row: a.location.row,
      rule: a.path.map((p) => p.value).join('.'),
    }));
}

function renderDocs(checks) {
  const byTarget = { terraform: [], kubernetes: [] };
  for (const c of checks)
    byTarget[c.custom.family === 'kubernetes' ? 'kubernetes' : 'terraform'].push(c);
  const severityOrder = { critical: 0, high: 1, medium: 2, low: 3 };
  const lines = [
    '# Policy catalog',
    '',
    "<!-- Generated from the rules' METADATA by `node packages/policies/scripts/policy-metadata.mjs docs`;",
    '     do not edit by hand: scripts/check-rego.sh fails when this file is stale. -->',
    '',
    'Every rule is one property id, used by the policy gate (plan and manifests), the live suite and',
    'the chaos experiments. On a Terraform plan a rule answers `pass`, `fail` or `unknown`: `unknown`',
    'when the value is only known after apply (`after_unknown`, or a reference the plan cannot',
    'resolve); the finding then names the live check with the same id that settles it.',
    '',
    'Parameters (input `params`): `az_count` (default 3), `min_backup_retention_days` (default 7),',
    '`min_replicas` (Kubernetes, default 2).',
    '',
    `${checks.length} rules.`,
    '',
    'Sources: `packages/policies/rego/stackproof/<terraform|kubernetes>/<family>/` (one package per',
    'family, `*_test.rego` beside each). `packages/policies/scripts/build-wasm.sh` compiles them to',
    '`packages/policies/bundle/policy.wasm` (entrypoint `stackproof/main`) against the capabilities of',
    '`@open-policy-agent/opa-wasm`; `packages/policies/scripts/check-rego.sh` runs `opa fmt`,',
    '`opa check --strict`, `opa test --coverage` (at least 90%), `regal lint`, the bundle freshness',
    "check, the METADATA schema (`rego/metadata.schema.json`) and this page's freshness.",
    '',
  ];
  for (const [target, heading] of [
    ['terraform', 'Terraform plan'],
    ['kubernetes', 'Kubernetes manifests'],
  ]) {
    const list = byTarget[target].sort(
      (a, b) =>
        a.custom.family.localeCompare(b.custom.family) || a.custom.id.localeCompare(b.custom.id),
    );
    lines.push(
      `## ${heading}`,
      '',
      '| id | title | severity | references |',
      '| --- | --- | --- | --- |',
    );
    for (const c of list) {
      lines.push(
        `| \`${c.custom.id}\` | ${c.title} | ${c.custom.severity} | ${c.custom.references.join(', ') || '—'} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Details', '');
  for (const c of [...checks]
    .sort(
      (a, b) =>
        severityOrder[a.custom.severity] - severityOrder[b.custom.severity] ||
        a.custom.id.localeCompare(b.custom.id),
    )
    .sort((a, b) => a.custom.id.localeCompare(b.custom.id))) {
    lines.push(
      `### \`${c.custom.id}\``,
      '',
      `**${c.title}** (${c.custom.severity}; \`packages/policies/${c.file}\`)`,
      '',
      c.description.trim(),
      '',
      `Fix: ${c.custom.remediation}`,
      '',
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

async function bundleRuleIds() {
  const wasm = readFileSync(`${policiesDir}bundle/policy.wasm`);
  const policy = await loadPolicy(wasm);
  const [{ result }] = policy.evaluate(
    { kind: 'terraform-plan', params: {}, plan: { resource_changes: [] } },
    'stackproof/main',
  );
  return result.rules.map((r) => r.id);
}

const mode = process.argv[2];
const checks = annotatedChecks();
if (mode === 'docs') {
  writeFileSync(docsPath, renderDocs(checks));
  console.log(`wrote ${docsPath} (${checks.length} rules)`);
} else if (mode === 'check') {
  const schema = JSON.parse(readFileSync(`${regoDir}/metadata.schema.json`, 'utf8'));
  const validate = new Ajv({ allErrors: true }).compile(schema);
  const problems = [];
  // The schema must be able to fail: a rule without severity and with a malformed id is refused.
  if (
    validate({
      title: 'A rule missing fields',
      description: 'x'.repeat(40),
      custom: { id: 'RDS multi az' },
    })
  ) {
    problems.push(
      'rego/metadata.schema.json accepts an annotation without severity: the schema is broken',
    );
  }
  const ids = new Map();
  for (const c of checks) {
    const { file, row, rule, ...annotation } = c;
    if (!validate(annotation)) {
      for (const e of validate.errors)
        problems.push(`${file}:${row} ${rule}: ${e.instancePath || '/'} ${e.message}`);
      continue;
    }
    const prefix = c.custom.family === 'kubernetes' ? 'k8s' : c.custom.family;
    if (!c.custom.id.startsWith(`${prefix}.`))
      problems.push(`${file}:${row} ${c.custom.id}: id must start with "${prefix}."`);
    if (ids.has(c.custom.id))
      problems.push(`${file}:${row} ${c.custom.id}: duplicate id (also ${ids.get(c.custom.id)})`);
    ids.set(c.custom.id, `${file}:${row}`);
  }
  const inBundle = await bundleRuleIds();
  const missing = [...ids.keys()].filter((id) => !inBundle.includes(id));
  const extra = inBundle.filter((id) => !ids.has(id));
  if (missing.length)
    problems.push(
      `annotated but not in the bundle (add to the family's checks list, rebuild): ${missing.join(', ')}`,
    );
  if (extra.length)
    problems.push(
      `in the bundle but not annotated (stale bundle? run scripts/build-wasm.sh): ${extra.join(', ')}`,
    );
  let docs = '';
  try {
    docs = readFileSync(docsPath, 'utf8');
  } catch {}
  if (docs !== renderDocs(checks))
    problems.push(
      'docs/policies.md is stale: run node packages/policies/scripts/policy-metadata.mjs docs',
    );
  if (problems.length) fail(`policy metadata:\n  ${problems.join('\n  ')}`);
  console.log(
    `policy metadata ok: ${ids.size} rules valid against rego/metadata.schema.json, all in the bundle, docs current`,
  );
} else {
  fail('usage: node scripts/policy-metadata.mjs check|docs');
}
