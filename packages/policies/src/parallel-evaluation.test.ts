/**
 * The optimised evaluation path (shards serialised from each change's cached JSON, evaluated on
 * worker threads, findings written by the hand-rolled JSON writer) must give exactly what the
 * plain path gives: one evaluation on this thread, JSON.stringify, JSON.stringify(…, null, 2).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../test-fixtures/paths.ts';
import { PolicyInputError } from './errors.ts';
import { formatJsonPlainly, jsonChunks } from './formats/json-report.ts';
import { planShards } from './plan-shards.ts';
import { PolicyBundle } from './policy-bundle.ts';
import { runPolicyCheck } from './policy-check.ts';
import { readTerraformPlan } from './terraform-plan.ts';

const REAL = (name: string) => fixture(`real-plans/${name}`);
// The largest plan of the corpus with the most rules involved (RDS, S3, security groups, EC2).
const PLAN = REAL('checkov-runner-tfplan.json');
const NOW = new Date('2026-11-29T00:00:00Z');

let bundle: PolicyBundle;
let dir: string;
beforeAll(async () => {
  bundle = await PolicyBundle.load();
  dir = await mkdtemp(join(tmpdir(), 'stackproof-parallel-'));
});
afterAll(async () => {
  await bundle.release();
  await rm(dir, { recursive: true, force: true });
});

/** One evaluation of the whole plan on this thread: the reference. */
const single = (target: string) =>
  runPolicyCheck({ target, version: 'test', bundle, threads: 1, now: NOW });
/** Shards of about 1 KB (dozens of evaluations) on two threads. */
const parallel = (target: string) =>
  runPolicyCheck({ target, version: 'test', bundle, threads: 2, maxShardBytes: 1024, now: NOW });

describe('evaluation on worker threads', () => {
  it('gives the findings of one evaluation on one thread, in the same order', async () => {
    const reference = await single(PLAN);
    const threaded = await parallel(PLAN);
    expect(reference.findings.length).toBeGreaterThan(20);
    expect(threaded.findings).toEqual(reference.findings);
    expect(threaded.summary).toEqual(reference.summary);
    expect([...jsonChunks(threaded)].join('')).toBe([...jsonChunks(reference)].join(''));
  });

  it('(negative twin) a different plan gives different findings, so the comparison can fail', async () => {
    const text = await readFile(PLAN, 'utf8');
    const changed = join(dir, 'multi-az.json');
    await writeFile(changed, text.replaceAll('"multi_az": false', '"multi_az": true'));
    const reference = await single(PLAN);
    const threaded = await parallel(changed);
    expect(threaded.findings).not.toEqual(reference.findings);
    const status = (findings: typeof reference.findings) =>
      findings.filter((f) => f.rule === 'rds.multi-az').map((f) => f.status);
    expect(status(reference.findings)).toContain('fail');
    expect(status(threaded.findings)).not.toContain('fail');
  });

  // With two-way evaluation, inputs 0 and 1 go to the worker thread and 2 to this thread.
  it.each([
    [1, 'the worker thread'],
    [2, 'this thread'],
  ])('stops on input %i failing on %s, and evaluates again afterwards', async (broken) => {
    const valid = JSON.stringify({
      kind: 'terraform-plan',
      params: {},
      plan: { resource_changes: [] },
    });
    const seen: number[] = [];
    const failing = bundle.evaluateEach(
      4,
      // Nested far deeper than the policy's parser can follow: the wasm stack overflows.
      (index) =>
        index === broken
          ? `{"kind":"terraform-plan","params":${'['.repeat(200_000)}${']'.repeat(200_000)}}`
          : valid,
      (index) => seen.push(index),
      { maxInputBytes: valid.length, threads: 2, source: 'broken.json' },
    );
    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyInputError);
    expect((error as PolicyInputError).kind).toBe('bad-input');
    expect((error as Error).message).toMatch(/broken\.json.*nests too deeply/);
    expect(seen).not.toContain(broken);
    // The failed run's threads are gone; the next run starts new ones.
    const again: number[] = [];
    await bundle.evaluateEach(
      3,
      () => valid,
      (index) => again.push(index),
      {
        maxInputBytes: valid.length,
        threads: 2,
      },
    );
    expect(again).toEqual([0, 1, 2]);
  });
});

describe('shard input text', () => {
  it("is JSON.stringify of the shard's document, for every shard of a real plan", async () => {
    const contract = await bundle.contract();
    const { plan } = await readTerraformPlan(PLAN, { reads: contract.planReads });
    const shards = planShards(plan, contract.planReads, { maxShardBytes: 1024 });
    expect(shards.length).toBeGreaterThan(5);
    for (const shard of shards) expect(shard.json()).toBe(JSON.stringify(shard.document));
    // Negative twin: the shards differ, so a text made for the wrong shard would be seen.
    expect((shards[1] ?? shards[0])?.json()).not.toBe(JSON.stringify(shards[0]?.document));
  });
});

describe('JSON report writer', () => {
  it('writes what JSON.stringify(report, null, 2) writes', async () => {
    const report = await single(PLAN);
    expect([...jsonChunks(report)].join('')).toBe(formatJsonPlainly(report));
  });

  it('(negative twin) a report with one finding changed is written differently', async () => {
    const report = await single(PLAN);
    const [first, ...rest] = report.findings;
    const changed = { ...report, findings: [{ ...first, message: `${first?.message}!` }, ...rest] };
    expect([...jsonChunks(changed as typeof report)].join('')).not.toBe(formatJsonPlainly(report));
  });
});
