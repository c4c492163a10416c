/**
 * The CLI on every real plan of the corpus (packages/policies/test-fixtures/real-plans, see
 * SOURCES.md there), and on every file of $STACKPROOF_REAL_PLANS_DIR when it is set: exit 0, 1 or
 * 2 as corpus.json says, never 3, never a stack trace, a one-line message on bad input, and never a
 * value the plan marks sensitive, in any report format.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const CORPUS = fileURLToPath(new URL('../../policies/test-fixtures/real-plans/', import.meta.url));
const EXPECTED = (
  JSON.parse(readFileSync(join(CORPUS, 'corpus.json'), 'utf8')) as {
    files: Record<string, { exit: 0 | 1 | 2; code?: string }>;
  }
).files;
const FORMATS = ['text', 'json', 'sarif', 'junit', 'github'];
const STACK_TRACE = /\n\s+at \S+ \(|\n\s+at file:|internal error/;

const corpusFiles = readdirSync(CORPUS)
  .filter((f) => /\.(json|out)$/.test(f) && f !== 'corpus.json')
  .sort();
const extraDir = process.env.STACKPROOF_REAL_PLANS_DIR;
const extraFiles =
  extraDir === undefined
    ? []
    : readdirSync(extraDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(extraDir, f));

/** The text of a plan in any encoding it may come in. */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return bytes.toString('utf8').replace(/^\ufeff/, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every value the plan itself marks sensitive (after_sensitive / before_sensitive of a change,
 * sensitive variables and outputs), and provider credentials written in the configuration: the
 * strings a report must never contain. Short values ("1", "true") are left out: they appear in
 * reports for other reasons.
 */
function secretsOf(text: string): Set<string> {
  const secrets = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value.length >= 6) secrets.add(value);
    else if (Array.isArray(value)) value.forEach(add);
    else if (isObject(value)) Object.values(value).forEach(add);
  };
  const marked = (value: unknown, marker: unknown): void => {
    if (marker === true) add(value);
    else if (Array.isArray(marker) && Array.isArray(value))
      marker.forEach((m, i) => {
        marked(value[i], m);
      });
    else if (isObject(marker) && isObject(value))
      for (const [k, m] of Object.entries(marker)) marked(value[k], m);
  };
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    return secrets;
  }
  if (!isObject(plan)) return secrets;
  for (const list of [plan.resource_changes, plan.resource_drift]) {
    for (const rc of Array.isArray(list) ? list : []) {
      const change = isObject(rc) && isObject(rc.change) ? rc.change : {};
      marked(change.after, change.after_sensitive);
      marked(change.before, change.before_sensitive);
    }
  }
  if (isObject(plan.output_changes)) {
    for (const output of Object.values(plan.output_changes)) {
      if (isObject(output)) marked(output.after, output.after_sensitive);
    }
  }
  const configuration = isObject(plan.configuration) ? plan.configuration : {};
  const providers = isObject(configuration.provider_config) ? configuration.provider_config : {};
  for (const provider of Object.values(providers)) {
    const expressions =
      isObject(provider) && isObject(provider.expressions) ? provider.expressions : {};
    for (const [name, expression] of Object.entries(expressions)) {
      if (/key|secret|password|token/.test(name) && isObject(expression)) {
        add(expression.constant_value);
      }
    }
  }
  return secrets;
}

async function judge(file: string): Promise<{ exitCode: number; outputs: string[] }> {
  const outputs: string[] = [];
  let exitCode = -1;
  for (const format of FORMATS) {
    const outcome = await runCli(['policy', 'check', file, '--format', format]);
    outputs.push(outcome.stdout, outcome.stderr);
    expect(outcome.stderr, `${file} --format ${format}`).not.toMatch(STACK_TRACE);
    expect([0, 1, 2], `${file} --format ${format}: ${outcome.stderr}`).toContain(outcome.exitCode);
    if (outcome.exitCode === 2) {
      expect(outcome.stdout).toBe('');
      expect(outcome.stderr.trimEnd().split('\n'), outcome.stderr).toHaveLength(1);
    }
    if (exitCode !== -1) expect(outcome.exitCode).toBe(exitCode);
    exitCode = outcome.exitCode;
    if (exitCode === 2) break;
  }
  return { exitCode, outputs };
}

describe('the gate on the real-plan corpus', { timeout: 120_000 }, () => {
  it('corpus.json names every file of the corpus and no other', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(corpusFiles);
  });

  it('finds secrets in the corpus, so "never printed" below is not vacuous', () => {
    const found = corpusFiles.flatMap((f) => [...secretsOf(decode(readFileSync(join(CORPUS, f))))]);
    expect(found).toContain('AKIAIOSFODNN7EXAMPLE');
    expect(found.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of corpusFiles) {
    it(`${name}: exit ${EXPECTED[name]?.exit}${EXPECTED[name]?.code ? ` (${EXPECTED[name]?.code})` : ''}, no stack trace, no secret`, async () => {
      const file = join(CORPUS, name);
      const { exitCode, outputs } = await judge(file);
      expect(exitCode).toBe(EXPECTED[name]?.exit);
      const code = EXPECTED[name]?.code;
      if (code !== undefined) expect(outputs.join('')).toContain(`error [${code}]`);
      for (const secret of secretsOf(decode(readFileSync(file)))) {
        for (const output of outputs) expect(output).not.toContain(secret);
      }
    });
  }

  for (const file of extraFiles) {
    it(`${file} ($STACKPROOF_REAL_PLANS_DIR): exit 0, 1 or 2, no stack trace, no secret`, async () => {
      const { outputs } = await judge(file);
      for (const secret of secretsOf(decode(readFileSync(file)))) {
        for (const output of outputs) expect(output).not.toContain(secret);
      }
    });
  }
});
