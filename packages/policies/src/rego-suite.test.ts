import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = join(dirname(fileURLToPath(import.meta.url)), '../scripts/check-rego.sh');

type Outcome = { code: number; stdout: string; stderr: string };
async function checkRego(env: Record<string, string> = {}): Promise<Outcome> {
  return run('bash', [script], {
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Outcome) => error,
  );
}

// The Rego side of the gate with the real opa and regal: fmt, check --strict, opa test with
// coverage >= 90 %, regal lint, bundle freshness, METADATA schema and a Wasm smoke evaluation.
describe('packages/policies/scripts/check-rego.sh', { timeout: 180_000 }, () => {
  it('passes every step on the committed policies', async () => {
    const outcome = await checkRego();
    expect(outcome.stderr).not.toMatch(/FAIL:/);
    expect(outcome.code).toBe(0);
    const coverage = Number(/coverage ([\d.]+)%/.exec(outcome.stdout)?.[1]);
    expect(coverage).toBeGreaterThan(90);
    expect(outcome.stdout).toMatch(/check-rego: all steps passed/);
  });

  it('fails, naming the step, when coverage is below the required minimum', async () => {
    const outcome = await checkRego({ MIN_COVERAGE: '100.01' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/FAIL: coverage [\d.]+% is below 100\.01%/);
  });
});
