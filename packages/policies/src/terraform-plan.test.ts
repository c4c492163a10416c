import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticPlan } from '../bench/generate-plan.ts';
import { fixture } from '../test-fixtures/paths.ts';
import { PolicyInputError } from './errors.ts';
import { SENSITIVE_PLACEHOLDER } from './redact.ts';
import { readTerraformPlan } from './terraform-plan.ts';

async function inputError(file: string): Promise<PolicyInputError> {
  try {
    await readTerraformPlan(file);
  } catch (error) {
    if (error instanceof PolicyInputError) return error;
    throw error;
  }
  throw new Error(`${file} was accepted`);
}

describe('readTerraformPlan', () => {
  it('keeps resource_changes, configuration and versions, and drops the rest', async () => {
    const { plan } = await readTerraformPlan(fixture('terraform/plan.json'));
    expect(plan.format_version).toBe('1.2');
    expect(plan.terraform_version).toBe('1.10.5');
    expect(plan.resource_changes.map((r) => r.address)).toEqual([
      'module.db.aws_db_instance.this[0]',
      'module.db.aws_db_instance.replica',
      'aws_db_instance.legacy',
      'aws_db_instance.retired',
    ]);
    expect(plan.configuration).toHaveProperty('root_module.module_calls.db.source', './modules/db');
    expect(Object.keys(plan).sort()).toEqual([
      'configuration',
      'format_version',
      'resource_changes',
      'terraform_version',
    ]);
  });

  it('redacts every value Terraform marks sensitive, so none can be printed', async () => {
    const raw = await readFile(fixture('terraform/plan.json'), 'utf8');
    // Negative twin: the secret is in the file…
    expect(raw).toContain('do-not-print-me');
    const { plan } = await readTerraformPlan(fixture('terraform/plan.json'));
    // …and nowhere in what the policies receive.
    expect(JSON.stringify(plan)).not.toContain('do-not-print-me');
    const change = plan.resource_changes[0]?.change as { after: Record<string, unknown> };
    const after = change.after;
    expect(after.password).toBe(SENSITIVE_PLACEHOLDER);
    expect(after.tags).toEqual({ token: SENSITIVE_PLACEHOLDER, team: 'db' });
    expect(after.multi_az).toBe(true);
  });

  it('accepts an empty plan', async () => {
    const { plan } = await readTerraformPlan(fixture('empty-plan.json'));
    expect(plan.resource_changes).toEqual([]);
  });

  describe('bad inputs', () => {
    let dir: string;
    // A 0-byte file and a cut-off plan are made here: no linter or formatter can keep them broken.
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'stackproof-bad-inputs-'));
      await writeFile(join(dir, 'empty.json'), '');
      const plan = await readFile(fixture('terraform/plan.json'));
      await writeFile(join(dir, 'truncated.json'), plan.subarray(0, Math.floor(plan.length / 2)));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    const path = (file: string): string =>
      file.startsWith('tmp:') ? join(dir, file.slice(4)) : fixture(file);

    it.each([
      ['a 0-byte file', 'tmp:empty.json', 'EMPTY_FILE', /empty \(0 bytes\)/],
      ['truncated JSON', 'tmp:truncated.json', 'TRUNCATED_JSON', /ends early.*truncated/],
      [
        'state from terraform show -json',
        'bad-inputs/state.json',
        'STATE_NOT_PLAN',
        /the JSON of Terraform state \(`terraform show -json` without a plan file\), not a plan; run `terraform plan -out plan.out`/,
      ],
      [
        'a raw terraform.tfstate',
        'bad-inputs/terraform.tfstate',
        'STATE_NOT_PLAN',
        /Terraform state/,
      ],
      [
        'plan format 2.0',
        'bad-inputs/format-2.json',
        'UNSUPPORTED_FORMAT_VERSION',
        /format_version 2\.0 is newer than the formats stackproof reads \(0\.1 to 1\.x/,
      ],
      [
        'JSON that is not a plan',
        'bad-inputs/not-a-plan.json',
        'NOT_A_PLAN',
        /not Terraform plan JSON/,
      ],
    ])('refuses %s with a clear error', async (_name, file, code, message) => {
      const error = await inputError(path(file));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(error.file).toBe(path(file));
    });
  });

  describe('a change whose values are not what Terraform writes', () => {
    let dir: string;
    // Mutations of a real plan (OpenTofu's drift fixture): each would otherwise reach the rules as
    // a resource with no attributes and pass silently.
    async function mutated(name: string, mutate: (change: Record<string, unknown>) => void) {
      const plan = JSON.parse(
        await readFile(fixture('real-plans/opentofu-show-json-drift.json'), 'utf8'),
      ) as { resource_changes: Record<string, unknown>[] };
      const first = plan.resource_changes[0];
      if (first === undefined) throw new Error('the drift fixture has no resource_changes');
      mutate(first);
      const file = join(dir, name);
      await writeFile(file, JSON.stringify(plan));
      return file;
    }
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'stackproof-bad-changes-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses a change.after that is not an object, naming the resource', async () => {
      const file = await mutated('after-string.json', (change) => {
        (change.change as Record<string, unknown>).after = 'oops';
      });
      const error = await inputError(file);
      expect(error.code).toBe('NOT_A_PLAN');
      expect(error.message).toMatch(
        /resource_changes\[0\] \(test_instance\.no_refresh\) has a change\.after that is not an object/,
      );
    });

    it('refuses a change.after_unknown that is a list', async () => {
      const file = await mutated('after-unknown-list.json', (change) => {
        (change.change as Record<string, unknown>).after_unknown = [1];
      });
      expect((await inputError(file)).message).toMatch(/change\.after_unknown that is neither/);
    });

    it('accepts null and boolean values where Terraform writes them (the twin)', async () => {
      const file = await mutated('after-null.json', (change) => {
        const body = change.change as Record<string, unknown>;
        body.after = null;
        body.after_unknown = true;
      });
      const { plan } = await readTerraformPlan(file);
      expect(plan.resource_changes[0]?.address).toBe('test_instance.no_refresh');
    });

    it('shortens a huge address in the message', async () => {
      const file = await mutated('long-address.json', (change) => {
        change.address = 'a'.repeat(5000);
        (change.change as Record<string, unknown>).after = 'oops';
      });
      const message = (await inputError(file)).message;
      expect(message).toContain(`(${'a'.repeat(120)}…)`);
      expect(message.length).toBeLessThan(400);
    });
  });

  it('refuses a missing file', async () => {
    expect((await inputError(fixture('no-such-plan.json'))).code).toBe('INPUT_NOT_FOUND');
  });

  describe('a plan over 100 MB', () => {
    let dir: string;
    let file: string;
    const resources = 85_000;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'stackproof-large-plan-'));
      file = join(dir, 'plan.json');
      await writeSyntheticPlan(file, resources);
    }, 120_000);
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('is read completely, and format errors are still found at its end', async () => {
      expect((await stat(file)).size).toBeGreaterThan(100 * 1024 * 1024);
      const { plan } = await readTerraformPlan(file);
      expect(plan.resource_changes).toHaveLength(resources);
      expect(JSON.stringify(plan.resource_changes)).not.toContain('secret-');
      // Negative twin: the same file cut short by one byte is refused.
      const text = await readFile(file);
      const cut = join(dir, 'cut.json');
      await writeFile(cut, text.subarray(0, text.length - 1));
      expect((await inputError(cut)).code).toBe('TRUNCATED_JSON');
    }, 120_000);
  });
});
