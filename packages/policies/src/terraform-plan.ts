import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { PolicyInputError } from './errors.ts';
import { JsonScanError, JsonTopLevelScanner, type MemberMode } from './json-top-level-scanner.ts';
import type { PlanReads } from './plan-reads.ts';
import { redactConfiguration, redactSensitive, SENSITIVE_PLACEHOLDER } from './redact.ts';
import { sniffEncoding, TextDecodingError, utf8Transcoder } from './text-encoding.ts';
import { MAX_VALUE_DEPTH, tooDeepAt } from './value-depth.ts';

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
  /** Entries of the file's `resource_changes`, before anything was dropped. */
  readonly resourceCount: number;
}

export interface ReadPlanOptions {
  /**
   * What the policies read (the bundle's contract). Given, only managed resources of these types
   * that the plan does not delete or forget are kept, each projected down to the attributes
   * listed; without it every resource change is kept whole (minus `before`).
   */
  readonly reads?: PlanReads;
}

const KEPT: Readonly<Record<string, MemberMode>> = {
  format_version: 'value',
  terraform_version: 'value',
  configuration: 'value',
  resource_changes: 'elements',
};

/**
 * Terraform 0.12 to 1.0 wrote format 0.1 and 0.2, Terraform 1.1 on and OpenTofu 1.x: 1.x. They
 * differ in nothing the policies read (0.2 added `after_sensitive`, 1.x `resource_drift`,
 * `relevant_attributes` and `checks`), so all of them are read. A new major format is a break.
 */
const SUPPORTED_FORMAT = /^[01]\.\d+$/;
// Large enough for the scanner's indexOf fast path, small enough not to weigh on peak memory.
const READ_CHUNK_BYTES = 1024 * 1024;
const REWRITE = 'terraform show -json plan.out > plan.json';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value for a message: short, and never a walk over a value of unknown depth. */
function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function formatProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && SUPPORTED_FORMAT.test(value)) return undefined;
  const major = typeof value === 'string' ? /^(\d+)\.\d+/.exec(value)?.[1] : undefined;
  if (major !== undefined && Number(major) >= 2) {
    return (
      `plan JSON format_version ${value} is newer than the formats stackproof reads (0.1 to 1.x, ` +
      'written by Terraform 0.12 and later and by OpenTofu): a later Terraform or OpenTofu wrote ' +
      'it; use a stackproof release that reads it, or write the plan with a 1.x Terraform'
    );
  }
  return (
    `format_version ${describeValue(value)} is not one Terraform writes (0.1 to 1.x): not ` +
    `Terraform plan JSON; write the plan with \`${REWRITE}\``
  );
}

/** The first bytes of a file, to tell a binary plan or another encoding before scanning. */
async function head(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** `after_unknown` as an object: `true` (the whole object unknown) marks every attribute. */
function unknownMap(
  afterUnknown: unknown,
  after: Record<string, unknown>,
  attributes: ReadonlySet<string> | undefined,
): Record<string, unknown> {
  if (isObject(afterUnknown)) return afterUnknown;
  if (afterUnknown !== true) return {};
  const marked: Record<string, unknown> = {};
  for (const key of attributes ?? Object.keys(after)) marked[key] = true;
  return marked;
}

function pick(value: Record<string, unknown>, keys: ReadonlySet<string> | undefined) {
  if (keys === undefined) return value;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (Object.hasOwn(value, key)) out[key] = value[key];
  return out;
}

/** Names of the top-level attributes a sensitivity map marks as wholly sensitive. */
function sensitiveNames(marker: unknown, names: Set<string>): void {
  if (!isObject(marker)) return;
  for (const [attribute, flag] of Object.entries(marker)) if (flag === true) names.add(attribute);
}

function check(condition: boolean, file: string, where: string, what: string): asserts condition {
  if (!condition) {
    throw new PolicyInputError('NOT_A_PLAN', file, `${where} ${what}: not Terraform plan JSON`);
  }
}

const JUDGED_NOWHERE = new Set(['["delete"]', '["forget"]']);

/**
 * Checks one `resource_changes` entry and keeps what the policies read: the identifying fields
 * and `change.actions`, `change.after` and `change.after_unknown`, with `after` projected to the
 * attributes read and every value Terraform marks sensitive replaced by a placeholder. `before`
 * and the sensitivity maps never leave this function. Returns undefined for a change no rule
 * judges (when `reads` is given).
 */
function projectChange(
  file: string,
  index: number,
  change: unknown,
  reads: PlanReads | undefined,
  sensitiveByType: Map<string, Set<string>>,
): Record<string, unknown> | undefined {
  const where = `resource_changes[${index}]`;
  check(isObject(change), file, where, 'is not an object');
  check(typeof change.address === 'string', file, where, 'has no address');
  const address = change.address.length > 120 ? `${change.address.slice(0, 120)}…` : change.address;
  const named = `${where} (${address})`;
  check(typeof change.type === 'string' && change.type !== '', file, named, 'has no type');
  check(typeof change.name === 'string', file, named, 'has no name');
  check(typeof change.mode === 'string', file, named, 'has no mode');
  check(
    change.module_address === undefined || typeof change.module_address === 'string',
    file,
    named,
    'has a module_address that is not a string',
  );
  check(
    change.index === undefined ||
      typeof change.index === 'string' ||
      Number.isInteger(change.index),
    file,
    named,
    'has an index that is neither a number nor a string',
  );
  check(isObject(change.change), file, named, 'has no change');
  const body = change.change;
  const actions = body.actions;
  check(
    Array.isArray(actions) && actions.every((a) => typeof a === 'string'),
    file,
    named,
    'has no list of actions',
  );
  check(
    body.after === undefined || body.after === null || isObject(body.after),
    file,
    named,
    'has a change.after that is not an object',
  );
  check(
    body.after_unknown === undefined ||
      typeof body.after_unknown === 'boolean' ||
      isObject(body.after_unknown),
    file,
    named,
    'has a change.after_unknown that is neither an object nor a boolean',
  );
  const type = change.type;
  const sensitive = sensitiveByType.get(type) ?? new Set<string>();
  sensitiveNames(body.after_sensitive, sensitive);
  sensitiveNames(body.before_sensitive, sensitive);
  if (sensitive.size > 0) sensitiveByType.set(type, sensitive);

  const typeReads = reads?.get(type);
  if (reads !== undefined) {
    if (typeReads === undefined || change.mode !== 'managed') return undefined;
    if (JUDGED_NOWHERE.has(JSON.stringify(actions))) return undefined;
  }
  const keys =
    typeReads === undefined ? undefined : new Set(['id', ...typeReads.attributes].sort());
  const after = pick(isObject(body.after) ? body.after : {}, keys);
  const afterUnknown = pick(unknownMap(body.after_unknown, after, keys), keys);
  const marker = isObject(body.after_sensitive)
    ? pick(body.after_sensitive, keys)
    : body.after_sensitive;
  for (const [what, value] of [
    ['change.after', after],
    ['change.after_unknown', afterUnknown],
    ['change.after_sensitive', marker],
  ] as const) {
    const deep = tooDeepAt(value);
    if (deep !== undefined) {
      throw new PolicyInputError(
        'NESTED_TOO_DEEP',
        file,
        `${named}: ${what}.${deep} nests more than ${MAX_VALUE_DEPTH} levels deep; no provider ` +
          'schema does, so the file was damaged or not written by Terraform',
      );
    }
  }
  if (marker === true) {
    for (const key of Object.keys(after)) {
      if (after[key] !== null) after[key] = SENSITIVE_PLACEHOLDER;
    }
  } else if (marker !== undefined && marker !== false) {
    redactSensitive(after, marker);
  }
  const out: Record<string, unknown> = {
    address: change.address,
    mode: change.mode,
    type,
    name: change.name,
  };
  if (change.module_address !== undefined) out.module_address = change.module_address;
  if (change.index !== undefined) out.index = change.index;
  if (typeof change.deposed === 'string') out.deposed = change.deposed;
  out.change = { actions, after, after_unknown: afterUnknown };
  return out;
}

/** What a JSON document that is not a plan is, from its top-level keys, and what to do. */
function notAPlan(file: string, keys: ReadonlySet<string>): PolicyInputError {
  if (keys.has('@level') || keys.has('@message')) {
    return new PolicyInputError(
      'UI_STREAM_NOT_PLAN',
      file,
      'this is the machine-readable UI log of `terraform plan -json` (one JSON message per line), ' +
        `not a plan; run \`terraform plan -out plan.out\`, then \`${REWRITE}\`, and check plan.json`,
    );
  }
  if (keys.has('values') && !keys.has('planned_values')) {
    return new PolicyInputError(
      'STATE_NOT_PLAN',
      file,
      'this is the JSON of Terraform state (`terraform show -json` without a plan file), not a ' +
        `plan; run \`terraform plan -out plan.out\` and \`${REWRITE}\`, then check plan.json`,
    );
  }
  if (keys.has('lineage') || (keys.has('version') && keys.has('resources'))) {
    return new PolicyInputError(
      'STATE_NOT_PLAN',
      file,
      'this is a raw Terraform state file (terraform.tfstate), not a plan; run ' +
        `\`terraform plan -out plan.out\` and \`${REWRITE}\`, then check plan.json`,
    );
  }
  if (keys.has('provider_schemas')) {
    return new PolicyInputError(
      'NOT_A_PLAN',
      file,
      'this is provider schema JSON (`terraform providers schema -json`), not a plan; write the ' +
        `plan with \`${REWRITE}\``,
    );
  }
  const shown = [...keys].slice(0, 6).join(', ');
  return new PolicyInputError(
    'NOT_A_PLAN',
    file,
    `not Terraform plan JSON: it has neither resource_changes nor planned_values (top-level keys: ${shown || 'none'}); write the plan with \`${REWRITE}\``,
  );
}

/**
 * Reads `terraform show -json plan.out` output as a stream, in UTF-8 (with or without a BOM) or
 * UTF-16 LE/BE. Only `resource_changes` (one element at a time), `configuration` and the version
 * fields are parsed; `prior_state`, `planned_values`, `resource_drift`, `variables` and
 * `output_changes` are skipped unparsed, which bounds memory for plans over 100 MB. Sensitive
 * values are redacted as each resource change is parsed.
 */
export async function readTerraformPlan(
  file: string,
  options: ReadPlanOptions = {},
): Promise<LoadedTerraformPlan> {
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
      `the file is empty (0 bytes); write the plan with \`${REWRITE}\``,
    );
  }
  const first = await head(file, 4);
  if (first.equals(ZIP_MAGIC)) {
    throw new PolicyInputError(
      'BINARY_PLAN',
      file,
      'this is a binary plan file (`terraform plan -out`), which only Terraform can read; ' +
        `convert it with \`terraform show -json ${file} > plan.json\` and check plan.json`,
    );
  }
  const sniffed = sniffEncoding(first);
  if ('unsupported' in sniffed) {
    throw new PolicyInputError(
      'UNSUPPORTED_ENCODING',
      file,
      `the file is ${sniffed.unsupported}; save it as UTF-8 (or UTF-16) and check it again`,
    );
  }

  const keys = new Set<string>();
  let formatVersion: unknown;
  let terraformVersion: unknown;
  let configuration: unknown;
  let resourceCount = 0;
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
        const problem = formatProblem(value);
        if (problem !== undefined) {
          throw new PolicyInputError('UNSUPPORTED_FORMAT_VERSION', file, problem);
        }
      } else if (key === 'terraform_version') {
        terraformVersion = value;
      } else {
        configuration = value;
      }
    },
    onElement(_key, json, index) {
      resourceCount++;
      const kept = projectChange(
        file,
        index,
        parse(json, `resource_changes[${index}]`),
        options.reads,
        sensitiveByType,
      );
      if (kept !== undefined) resourceChanges.push(kept);
    },
  });

  const transcode = utf8Transcoder(sniffed.encoding);
  const stream = createReadStream(file, {
    highWaterMark: READ_CHUNK_BYTES,
    start: sniffed.bomBytes,
  });
  try {
    for await (const chunk of stream) scanner.write(transcode(chunk as Buffer, false));
    scanner.write(transcode(new Uint8Array(0), true));
    scanner.end();
  } catch (error) {
    if (error instanceof TextDecodingError) {
      throw new PolicyInputError(
        'UNSUPPORTED_ENCODING',
        file,
        `${error.message}; save it as UTF-8 and check it again`,
      );
    }
    if (error instanceof JsonScanError) {
      if (keys.has('@level') || keys.has('@message')) throw notAPlan(file, keys);
      if (error.code === 'TRUNCATED_JSON') {
        throw new PolicyInputError(
          'TRUNCATED_JSON',
          file,
          `${error.message}; re-create it with \`${REWRITE}\``,
        );
      }
      if (error.code === 'NOT_AN_OBJECT') {
        throw new PolicyInputError(
          'NOT_A_PLAN',
          file,
          `${error.message}: not Terraform plan JSON; write the plan with \`${REWRITE}\``,
        );
      }
      throw new PolicyInputError('INVALID_JSON', file, `not valid JSON: ${error.message}`);
    }
    throw error;
  } finally {
    stream.destroy();
  }

  const isPlan = keys.has('resource_changes') || keys.has('planned_values');
  if (!isPlan) throw notAPlan(file, keys);
  if (formatVersion === undefined) {
    throw new PolicyInputError(
      'NOT_A_PLAN',
      file,
      `plan JSON without format_version: not written by Terraform; write it with \`${REWRITE}\``,
    );
  }
  if (configuration !== undefined) redactConfiguration(configuration, sensitiveByType);

  const plan: TerraformPlanDocument = {
    format_version: formatVersion as string,
    resource_changes: resourceChanges,
    ...(typeof terraformVersion === 'string' ? { terraform_version: terraformVersion } : {}),
    ...(isObject(configuration) ? { configuration } : {}),
  };
  return { kind: 'terraform-plan', file, plan, resourceCount };
}
