/**
 * Property: whatever a real plan or manifest is mutated into, the gate gives a report or refuses
 * the file as bad input; it never fails as stackproof itself (exit 3) and never throws anything
 * but a StackproofError (what the CLI would print with a stack trace).
 *
 * Mutations of real plans (test-fixtures/real-plans) and of the reference chart's real render
 * (fixtures/manifests): values set to null or marked unknown until apply, values of the wrong
 * type, arrays emptied, keys removed, addresses duplicated, megabyte strings, arrays nested
 * 100,000 deep. A fixed number of cases from a recorded seed: a failure names its seed and path
 * (fast-check prints them), and re-running with the seed reproduces it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStackproofError } from '@stackproof/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fixture } from '../test-fixtures/paths.ts';
import { formatReport, REPORT_FORMATS } from './formats/report-format.ts';
import { PolicyBundle } from './policy-bundle.ts';
import { runPolicyCheck } from './policy-check.ts';

/** Recorded seed and case counts (docs/policy-gate.md says how to re-run with another seed). */
const FUZZ_SEED = Number(process.env.STACKPROOF_FUZZ_SEED ?? 20261129);
// More cases for a longer exploratory run: STACKPROOF_FUZZ_RUNS=5 multiplies both counts.
const SCALE = Number(process.env.STACKPROOF_FUZZ_RUNS ?? 1);
const PLAN_RUNS = 120 * SCALE;
const MANIFEST_RUNS = 60 * SCALE;
const DEEP = 100_000;

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PLANS = [
  'checkov-runner-tfplan.json',
  'checkov-asg-dynamodb-tags-variety.json',
  'checkov-eks-node-group-remote-access.json',
  'terraform-data-deposed-plan.json',
  'tfcompliance-issue-522-delete-drift.json',
  'opentofu-show-json-drift.json',
];
const MANIFESTS = [
  join(REPO, 'fixtures', 'manifests', 'compliant.yaml'),
  fixture('manifests/app.yaml'),
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** Every path of a JSON tree, walked with a stack (real plans are wide, not deep). */
function paths(root: Json): Path[] {
  const out: Path[] = [];
  const stack: { value: Json; path: Path }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: Json; path: Path };
    out.push(path);
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        stack.push({ value: v, path: [...path, i] });
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) stack.push({ value: v, path: [...path, k] });
    }
  }
  return out;
}

function parentOf(root: Json, path: Path): { parent: Json; key: string | number } | undefined {
  if (path.length === 0) return undefined;
  let parent: Json = root;
  for (const step of path.slice(0, -1)) {
    parent = (parent as Record<string | number, Json>)[step] as Json;
  }
  return { parent, key: path[path.length - 1] as string | number };
}

// The deeply nested value is spliced in as text: building it as an object would overflow the
// test's own JSON.stringify.
const DEEP_MARK = '__stackproof_fuzz_deep__';
const DEEP_TEXT = `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`;

const MUTATIONS = [
  'null',
  'unknown',
  'number',
  'string',
  'boolean',
  'object',
  'array',
  'empty-array',
  'remove',
  'duplicate',
  'huge-string',
  'deep',
] as const;
type Mutation = (typeof MUTATIONS)[number];

/** Applies one mutation at `path` in place; returns false when it does not apply there. */
function mutate(root: Json, path: Path, mutation: Mutation): boolean {
  const at = parentOf(root, path);
  if (at === undefined || at.parent === null || typeof at.parent !== 'object') return false;
  const parent = at.parent as Record<string | number, Json>;
  const value = parent[at.key] as Json;
  switch (mutation) {
    case 'null':
      parent[at.key] = null;
      return true;
    case 'unknown': {
      // Terraform's way of saying "known after apply": the nearest change's after_unknown.
      const changeAt = path.indexOf('change');
      if (changeAt < 0 || path[changeAt + 1] !== 'after') {
        parent[at.key] = true;
        return true;
      }
      const change = parentOf(root, [...path.slice(0, changeAt + 1), 'x'])?.parent as Record<
        string,
        Json
      >;
      change.after_unknown =
        path.length === changeAt + 2 ? true : { [String(path[changeAt + 2])]: true };
      return true;
    }
    case 'number':
      parent[at.key] = -1e308;
      return true;
    case 'string':
      parent[at.key] = 'x';
      return true;
    case 'boolean':
      parent[at.key] = false;
      return true;
    case 'object':
      parent[at.key] = { unexpected: [value] };
      return true;
    case 'array':
      parent[at.key] = [value, value];
      return true;
    case 'empty-array':
      parent[at.key] = [];
      return true;
    case 'remove':
      if (Array.isArray(parent)) parent.splice(at.key as number, 1);
      else delete parent[at.key];
      return true;
    case 'duplicate':
      if (!Array.isArray(parent)) return false;
      parent.push(structuredClone(value));
      return true;
    case 'huge-string':
      parent[at.key] = 'A'.repeat(2 * 1024 * 1024);
      return true;
    case 'deep':
      parent[at.key] = DEEP_MARK;
      return true;
  }
}

function serialize(documents: readonly Json[], yaml: boolean): string {
  const text = yaml
    ? documents.map((d) => JSON.stringify(d)).join('\n---\n')
    : JSON.stringify(documents[0]);
  return text.replaceAll(`"${DEEP_MARK}"`, DEEP_TEXT);
}

let bundle: PolicyBundle;
let dir: string;
let counter = 0;
beforeAll(async () => {
  bundle = await PolicyBundle.load();
  dir = await mkdtemp(join(tmpdir(), 'stackproof-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The gate on one file: a report (formatted in every format) or a bad-input refusal. */
async function gateOn(file: string): Promise<'report' | 'refused'> {
  try {
    const report = await runPolicyCheck({ target: file, version: 'fuzz', bundle });
    for (const format of REPORT_FORMATS) formatReport(report, format);
    return 'report';
  } catch (error) {
    if (isStackproofError(error) && error.kind !== 'internal') return 'refused';
    throw error;
  }
}

const mutationsArb = fc.array(
  fc.record({ pick: fc.nat(), mutation: fc.constantFrom(...MUTATIONS) }),
  { minLength: 1, maxLength: 3 },
);

describe('fuzz: mutated real plans and manifests never break the gate', () => {
  it(`${PLAN_RUNS} mutated real plans (seed ${FUZZ_SEED})`, { timeout: 600_000 }, async () => {
    const sources = await Promise.all(
      PLANS.map(
        async (name) => JSON.parse(await readFile(fixture(`real-plans/${name}`), 'utf8')) as Json,
      ),
    );
    const outcomes = { report: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: PLANS.length - 1 }), mutationsArb, async (which, steps) => {
        const plan = structuredClone(sources[which] as Json);
        for (const { pick, mutation } of steps) {
          const all = paths(plan);
          mutate(plan, all[pick % all.length] as Path, mutation);
        }
        const file = join(dir, `plan-${counter++}.json`);
        await writeFile(file, serialize([plan], false));
        outcomes[await gateOn(file)]++;
        await rm(file);
      }),
      { numRuns: PLAN_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    // Both outcomes occur: the mutations reach what the gate reads and what it refuses.
    expect(outcomes.report).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it(`${MANIFEST_RUNS} mutated manifests (seed ${FUZZ_SEED})`, { timeout: 600_000 }, async () => {
    const sources = await Promise.all(
      MANIFESTS.map(async (file) =>
        parseAllDocuments(await readFile(file, 'utf8'))
          .map((d) => d.toJS() as Json)
          .filter((d) => d !== null),
      ),
    );
    const outcomes = { report: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: MANIFESTS.length - 1 }),
        mutationsArb,
        async (which, steps) => {
          // The documents of a file as one array, so a document itself can be duplicated or removed.
          const documents = structuredClone(sources[which] as Json[]);
          const root: Json = documents;
          for (const { pick, mutation } of steps) {
            const all = paths(root);
            mutate(root, all[pick % all.length] as Path, mutation);
          }
          const file = join(dir, `manifests-${counter++}.yaml`);
          await writeFile(file, serialize(Array.isArray(root) ? root : [root], true));
          outcomes[await gateOn(file)]++;
          await rm(file);
        },
      ),
      { numRuns: MANIFEST_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    expect(outcomes.report).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('a plan attribute holding arrays nested 100,000 deep is refused as bad input', async () => {
    // The case the issue reports (before: "Maximum call stack size exceeded", exit 3).
    const plan = JSON.parse(
      await readFile(fixture('real-plans/checkov-runner-tfplan.json'), 'utf8'),
    ) as {
      resource_changes: { type: string; change: { after: Record<string, Json> } }[];
    };
    const db = plan.resource_changes.find((r) => r.type === 'aws_db_instance');
    if (db === undefined) throw new Error('the plan has no aws_db_instance');
    db.change.after.multi_az = DEEP_MARK;
    const file = join(dir, 'deep.json');
    await writeFile(file, serialize([plan as unknown as Json], false));
    const error = await runPolicyCheck({ target: file, version: 'fuzz', bundle }).catch(
      (e: unknown) => e,
    );
    expect(isStackproofError(error) && error.code).toBe('NESTED_TOO_DEEP');
    // Negative twin: the same nesting in an attribute no rule reads is dropped before evaluation.
    db.change.after.multi_az = false;
    db.change.after.tags = DEEP_MARK;
    await writeFile(file, serialize([plan as unknown as Json], false));
    await expect(runPolicyCheck({ target: file, version: 'fuzz', bundle })).resolves.toBeDefined();
  });
});
