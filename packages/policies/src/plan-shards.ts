import { type PlanReads, withContext } from './plan-reads.ts';
import type { TerraformPlanDocument } from './terraform-plan.ts';

/**
 * A plan is evaluated in several wasm evaluations, each bounded: the wasm policy holds about 31
 * bytes of heap per input byte and frees nothing during an evaluation, so one evaluation of a
 * 200,000-resource plan would need more than the 2 GiB the SDK can address.
 *
 * - Types whose verdicts count several resources of the type ("whole": subnet tiers, NAT
 *   gateways per network, node groups per cluster, buckets and their configuration) are evaluated
 *   together, with the types they need (their "context").
 * - Every other judged type is judged one resource at a time: its resources are cut into shards
 *   of at most `maxShardBytes` of input, each evaluated with all resources of its context types.
 *
 * Each evaluation gives the verdicts of its "own" resources; verdicts it gives on context
 * resources are dropped (their own evaluation gives them), so every resource is judged once.
 */
export interface PlanShard {
  /** The input document of one evaluation (the policy contract's terraform-plan input). */
  readonly document: Readonly<Record<string, unknown>>;
  /** Addresses whose verdicts this evaluation gives. */
  readonly own: ReadonlySet<string>;
  /** Resource changes in the document (own and context). */
  readonly resources: number;
}

export interface ShardOptions {
  /** Upper bound of the own resources' JSON per shard (default 2 MB). */
  readonly maxShardBytes?: number;
  readonly params?: Readonly<Record<string, unknown>>;
}

export const DEFAULT_MAX_SHARD_BYTES = 2 * 1024 * 1024;

type Change = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The policies index module calls three levels below the root (lib/plan config_module_entries).
const MAX_MODULE_DEPTH = 3;
// Nested blocks of an expression (vpc_config[0].subnet_ids): far below this in every schema.
const MAX_EXPRESSION_DEPTH = 16;

function references(expression: unknown): { references: string[] } | undefined {
  if (!isObject(expression) || !Array.isArray(expression.references)) return undefined;
  return { references: expression.references.filter((r): r is string => typeof r === 'string') };
}

/**
 * What the policies read of an `expressions` map: the `references` of each expression, through
 * nested blocks; `constant_value` (literals, already in `after`) is dropped.
 */
function projectExpressions(expressions: unknown, depth: number): unknown {
  if (depth > MAX_EXPRESSION_DEPTH) return undefined;
  if (Array.isArray(expressions)) {
    return expressions.map((block) => projectExpressions(block, depth + 1));
  }
  if (!isObject(expressions)) return undefined;
  if ('references' in expressions || 'constant_value' in expressions) {
    return references(expressions);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(expressions)) {
    const projected = projectExpressions(value, depth + 1);
    if (projected !== undefined) out[key] = projected;
  }
  return out;
}

/**
 * The configuration the policies read to follow references whose values are unknown until apply:
 * per module, the resources of `types` (address and the references of the attributes read), the
 * module calls' arguments and the outputs, each as references only.
 */
export function projectConfiguration(
  configuration: unknown,
  types: ReadonlySet<string>,
  reads: PlanReads,
): Record<string, unknown> | undefined {
  if (!isObject(configuration)) return undefined;
  const projectModule = (module: unknown, depth: number): Record<string, unknown> => {
    if (!isObject(module)) return {};
    const resources: Record<string, unknown>[] = [];
    for (const resource of Array.isArray(module.resources) ? module.resources : []) {
      if (!isObject(resource) || typeof resource.address !== 'string') continue;
      if (typeof resource.type !== 'string' || !types.has(resource.type)) continue;
      const attributes = reads.get(resource.type)?.attributes ?? new Set<string>();
      const expressions: Record<string, unknown> = {};
      if (isObject(resource.expressions)) {
        for (const attribute of attributes) {
          const projected = projectExpressions(resource.expressions[attribute], 1);
          if (projected !== undefined) expressions[attribute] = projected;
        }
      }
      const forEach = references(resource.for_each_expression);
      resources.push({
        address: resource.address,
        type: resource.type,
        expressions,
        ...(forEach !== undefined ? { for_each_expression: forEach } : {}),
      });
    }
    const outputs: Record<string, unknown> = {};
    if (isObject(module.outputs)) {
      for (const [name, output] of Object.entries(module.outputs)) {
        const expression = references(isObject(output) ? output.expression : undefined);
        if (expression !== undefined) outputs[name] = { expression };
      }
    }
    const calls: Record<string, unknown> = {};
    if (depth < MAX_MODULE_DEPTH && isObject(module.module_calls)) {
      for (const [name, call] of Object.entries(module.module_calls)) {
        if (!isObject(call)) continue;
        const expressions: Record<string, unknown> = {};
        if (isObject(call.expressions)) {
          for (const [argument, expression] of Object.entries(call.expressions)) {
            const projected = references(expression);
            if (projected !== undefined) expressions[argument] = projected;
          }
        }
        calls[name] = { expressions, module: projectModule(call.module, depth + 1) };
      }
    }
    return { resources, module_calls: calls, outputs };
  };
  return { root_module: projectModule(configuration.root_module, 0) };
}

function document(
  plan: TerraformPlanDocument,
  changes: readonly Change[],
  types: ReadonlySet<string>,
  reads: PlanReads,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const configuration = projectConfiguration(plan.configuration, types, reads);
  return {
    kind: 'terraform-plan',
    params,
    plan: {
      format_version: plan.format_version,
      resource_changes: changes,
      ...(configuration !== undefined ? { configuration } : {}),
    },
  };
}

/** Cuts a projected plan (read with the same `reads`) into the evaluations described above. */
export function planShards(
  plan: TerraformPlanDocument,
  reads: PlanReads,
  options: ShardOptions = {},
): PlanShard[] {
  const maxBytes = options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  const params = options.params ?? {};
  const byType = new Map<string, Change[]>();
  for (const change of plan.resource_changes) {
    const type = change.type as string;
    const list = byType.get(type);
    if (list === undefined) byType.set(type, [change]);
    else list.push(change);
  }
  const ofTypes = (types: ReadonlySet<string>, except?: ReadonlySet<Change>): Change[] =>
    [...types].flatMap((t) =>
      (byType.get(t) ?? []).filter((c) => except === undefined || !except.has(c)),
    );
  const shards: PlanShard[] = [];

  const whole = new Set(
    [...byType.keys()].filter((t) => reads.get(t)?.judged === true && reads.get(t)?.whole),
  );
  if (whole.size > 0) {
    const types = withContext(whole, reads);
    const changes = ofTypes(types);
    shards.push({
      document: document(plan, changes, types, reads, params),
      own: new Set(
        changes.filter((c) => whole.has(c.type as string)).map((c) => c.address as string),
      ),
      resources: changes.length,
    });
  }

  const sharded = plan.resource_changes.filter((c) => {
    const typeReads = reads.get(c.type as string);
    return typeReads?.judged === true && !typeReads.whole;
  });
  let chunk: Change[] = [];
  let chunkBytes = 0;
  const flush = (): void => {
    if (chunk.length === 0) return;
    const own = new Set(chunk);
    const chunkTypes = new Set(chunk.map((c) => c.type as string));
    const contextTypes = withContext(
      [...chunkTypes].flatMap((t) => reads.get(t)?.context ?? []),
      reads,
    );
    const changes = [...chunk, ...ofTypes(contextTypes, own)];
    shards.push({
      document: document(plan, changes, new Set([...chunkTypes, ...contextTypes]), reads, params),
      own: new Set(chunk.map((c) => c.address as string)),
      resources: changes.length,
    });
    chunk = [];
    chunkBytes = 0;
  };
  for (const change of sharded) {
    const bytes = JSON.stringify(change).length;
    if (chunk.length > 0 && chunkBytes + bytes > maxBytes) flush();
    chunk.push(change);
    chunkBytes += bytes;
  }
  flush();
  return shards;
}
