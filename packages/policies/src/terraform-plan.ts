import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PolicyInputError } from './errors.ts';
import { JsonScanError, JsonTopLevelScanner, type MemberMode } from './json-top-level-scanner.ts';
import { redactConfiguration, redactResourceChange } from './redact.ts';

/** The part of a plan the policies read (see the policy contract). */
export interface TerraformPlanDocument {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes: readonly Record<string, unknown>[];
  readonly configuration?: Record<string, unknown>;
}

export interface LoadedTerraformPlan {
  readonly kind: 'terraform-plan';
  readonly file: string;
  readonly plan: TerraformPlanDocument;
}

const KEPT: Readonly<Record<string, MemberMode>> = {
  format_version: 'value',
  terraform_version: 'value',
  configuration: 'value',
  resource_changes: 'elements',
};

const SUPPORTED_FORMAT = /^1\.\d+$/;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const KEPT_CHANGE_FIELDS = [
  'address',
  'module_address',
  'mode',
  'type',
  'name',
  'index',
  'deposed',
];

/**
 * What the policies read of one resource change. `before`, `after_sensitive`, `before_sensitive`,
 * `provider_name` and the like are dropped: no rule reads them, and every input byte costs about
 * 31 bytes of wasm heap during evaluation (an update's `before` doubles a resource's size).
 */
function slim(change: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of KEPT_CHANGE_FIELDS) {
    if (change[field] !== undefined) out[field] = change[field];
  }
  const body = change.change as Record<string, unknown>;
  out.change = {
    actions: body.actions,
    after: body.after,
    after_unknown: body.after_unknown ?? {},
  };
  return out;
}

/**
 * Reads `terraform show -json plan.out` output as a stream. Only `resource_changes` (one element
 * at a time), `configuration` and the version fields are parsed; `prior_state`, `planned_values`,
 * `variables` and `output_changes` are skipped unparsed, which bounds memory for plans over 100 MB.
 * Sensitive values are redacted as each resource change is parsed.
 */
export async function readTerraformPlan(file: string): Promise<LoadedTerraformPlan> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new PolicyInputError('UNSUPPORTED_INPUT', file, 'is not a file');
    size = info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PolicyInputError('INPUT_NOT_FOUND', file, 'no such file');
    }
    throw error;
  }
  if (size === 0) {
    throw new PolicyInputError(
      'EMPTY_FILE',
      file,
      'the file is empty (0 bytes); write the plan with `terraform show -json plan.out > plan.json`',
    );
  }

  const keys = new Set<string>();
  let formatVersion: unknown;
  let terraformVersion: unknown;
  let configuration: unknown;
  const resourceChanges: Record<string, unknown>[] = [];
  const sensitiveByType = new Map<string, Set<string>>();

  const parse = (json: string, what: string): unknown => {
    try {
      return JSON.parse(json);
    } catch (error) {
      throw new PolicyInputError(
        'INVALID_JSON',
        file,
        `${what} is not valid JSON: ${(error as Error).message}`,
      );
    }
  };

  const scanner = new JsonTopLevelScanner({
    modeFor(key) {
      keys.add(key);
      return KEPT[key] ?? 'skip';
    },
    onValue(key, json) {
      const value = parse(json, `"${key}"`);
      if (key === 'format_version') {
        formatVersion = value;
        // Refuse before reading the rest of a possibly huge file.
        if (typeof value !== 'string' || !SUPPORTED_FORMAT.test(value)) {
          throw new PolicyInputError(
            'UNSUPPORTED_FORMAT_VERSION',
            file,
            `plan JSON format_version ${JSON.stringify(value)} is not supported; stackproof reads ` +
              'format 1.x (terraform show -json from Terraform 0.12 to 1.x, or OpenTofu)',
          );
        }
      } else if (key === 'terraform_version') {
        terraformVersion = value;
      } else {
        configuration = value;
      }
    },
    onElement(_key, json, index) {
      const change = parse(json, `resource_changes[${index}]`);
      if (!isObject(change) || typeof change.address !== 'string' || !isObject(change.change)) {
        throw new PolicyInputError(
          'NOT_A_PLAN',
          file,
          `resource_changes[${index}] has no address or change: not Terraform plan JSON`,
        );
      }
      const sensitive = redactResourceChange(change);
      if (sensitive.size > 0 && typeof change.type === 'string') {
        const known = sensitiveByType.get(change.type) ?? new Set<string>();
        for (const attribute of sensitive) known.add(attribute);
        sensitiveByType.set(change.type, known);
      }
      resourceChanges.push(slim(change));
    },
  });

  const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const chunk of stream) scanner.write(chunk as Buffer);
    scanner.end();
  } catch (error) {
    if (error instanceof JsonScanError) {
      if (error.code === 'TRUNCATED_JSON') {
        throw new PolicyInputError(
          'TRUNCATED_JSON',
          file,
          `${error.message}; re-create it with \`terraform show -json plan.out > plan.json\``,
        );
      }
      if (error.code === 'NOT_AN_OBJECT') {
        throw new PolicyInputError('NOT_A_PLAN', file, `${error.message}: not Terraform plan JSON`);
      }
      throw new PolicyInputError('INVALID_JSON', file, `not valid JSON: ${error.message}`);
    }
    throw error;
  } finally {
    stream.destroy();
  }

  const isPlan = keys.has('resource_changes') || keys.has('planned_values');
  if (!isPlan) {
    if (
      keys.has('values') ||
      keys.has('lineage') ||
      (keys.has('version') && keys.has('resources'))
    ) {
      throw new PolicyInputError(
        'STATE_NOT_PLAN',
        file,
        'this is Terraform state, not a plan; run `terraform plan -out plan.out` and ' +
          '`terraform show -json plan.out > plan.json`, then check plan.json',
      );
    }
    throw new PolicyInputError(
      'NOT_A_PLAN',
      file,
      'not Terraform plan JSON (it has neither resource_changes nor planned_values)',
    );
  }
  if (formatVersion === undefined) {
    throw new PolicyInputError('NOT_A_PLAN', file, 'plan JSON without format_version');
  }
  if (configuration !== undefined) redactConfiguration(configuration, sensitiveByType);

  const plan: TerraformPlanDocument = {
    format_version: formatVersion as string,
    resource_changes: resourceChanges,
    ...(typeof terraformVersion === 'string' ? { terraform_version: terraformVersion } : {}),
    ...(isObject(configuration) ? { configuration } : {}),
  };
  return { kind: 'terraform-plan', file, plan };
}
