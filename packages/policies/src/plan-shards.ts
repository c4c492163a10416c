import { type PlanReads, withContext } from './plan-reads.ts';
import type { TerraformPlanDocument } from './terraform-plan.ts';

/**
 * A plan is evaluated in several wasm evaluations, each bounded: the wasm policy holds 30 to 80
 * bytes of heap per input byte and frees nothing during an evaluation, so one evaluation of a
 * 200,000-resource plan would need more than the 2 GiB the SDK can address.
 *
 * Every shard carries the resources its verdicts need and names in `input.own` the ones it judges
 * (the policies give verdicts for those only, lib/plan `judged`):
 * - types whose verdicts count every resource of the type ("whole": NAT gateways per network,
 *   node groups per cluster, buckets and what configures them) travel whole, with their context,
 *   in every shard that judges some of them; whole types that no context links (subnets and
 *   buckets) travel apart;
 * - types whose verdicts count the resources of one module instance (subnet tiers) travel by
 *   module instance;
 * - every other judged type travels one resource at a time, with all resources of its context.
 * The judged resources of a shard add up to at most `maxShardBytes` of input.
 */
export interface PlanShard {
  /** The input document of one evaluation (the policy contract's terraform-plan input). */
  readonly document: Readonly<Record<string, unknown>>;
  /** Addresses whose verdicts this evaluation gives. */
  readonly own: ReadonlySet<string>;
  /** Resource changes in the document (own and context). */
  readonly resources: number;
  /** Size of the document's JSON, to size the wasm memory before the first evaluation. */
  readonly bytes: number;
}

export interface ShardOptions {
  /** Upper bound of the own resources' JSON per shard (default 2 MB). */
  readonly maxShardBytes?: number;
  readonly params?: Readonly<Record<string, unknown>>;
}

export const DEFAULT_MAX_SHARD_BYTES = 1024 * 1024;

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
 * nested blocks; `constant_value` (literals, already in `after`) is dropped, but an attribute set
 * to a literal stays as `{ references: [] }`: that it is set at all is read (a value computed at
 * apply for an attribute the configuration does not set is a known default).
 */
function projectExpressions(expressions: unknown, depth: number): unknown {
  if (depth > MAX_EXPRESSION_DEPTH) return undefined;
  if (Array.isArray(expressions)) {
    return expressions.map((block) => projectExpressions(block, depth + 1));
  }
  if (!isObject(expressions)) return undefined;
  if ('references' in expressions || 'constant_value' in expressions) {
    return references(expressions) ?? { references: [] };
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

function shard(
  plan: TerraformPlanDocument,
  changes: readonly Change[],
  own: ReadonlySet<string>,
  types: ReadonlySet<string>,
  reads: PlanReads,
  params: Readonly<Record<string, unknown>>,
  sizeOf: (change: Change) => number,
): PlanShard {
  const configuration = projectConfiguration(plan.configuration, types, reads);
  const bytes =
    changes.reduce((sum, c) => sum + sizeOf(c) + 1, 0) +
    JSON.stringify(configuration ?? {}).length +
    [...own].reduce((sum, a) => sum + a.length + 8, 0);
  return {
    document: {
      kind: 'terraform-plan',
      params,
      own: Object.fromEntries([...own].map((address) => [address, true])),
      plan: {
        format_version: plan.format_version,
        resource_changes: changes,
        ...(configuration !== undefined ? { configuration } : {}),
      },
    },
    own,
    resources: changes.length,
    bytes,
  };
}

/**
 * The whole types of the plan in groups that share no context: a whole type and the whole types
 * its context (transitively) names are one group.
 */
function wholeGroups(whole: ReadonlySet<string>, reads: PlanReads): Set<string>[] {
  const groups: Set<string>[] = [];
  for (const type of whole) {
    const linked = new Set([...withContext([type], reads)].filter((t) => whole.has(t)));
    const touching = groups.filter((g) => [...linked].some((t) => g.has(t)));
    const merged = new Set([...linked, ...touching.flatMap((g) => [...g])]);
    for (const g of touching) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups;
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
  const ofTypes = (types: Iterable<string>): Change[] =>
    [...types].flatMap((t) => byType.get(t) ?? []);
  const sizes = new Map<Change, number>();
  const sizeOf = (change: Change): number => {
    let size = sizes.get(change);
    if (size === undefined) {
      size = JSON.stringify(change).length;
      sizes.set(change, size);
    }
    return size;
  };
  const shards: PlanShard[] = [];

  /**
   * Cuts `judged` (in units that stay together) into chunks of at most maxBytes; each chunk is
   * a shard of the changes `carried(chunk)` gives.
   */
  const cut = (
    units: Iterable<readonly Change[]>,
    carried: (chunk: Change[]) => Change[],
    budget: number = maxBytes,
  ) => {
    let chunk: Change[] = [];
    let bytes = 0;
    const flush = (): void => {
      if (chunk.length === 0) return;
      const changes = carried(chunk);
      const types = new Set(changes.map((c) => c.type as string));
      const own = new Set(chunk.map((c) => c.address as string));
      shards.push(shard(plan, changes, own, types, reads, params, sizeOf));
      chunk = [];
      bytes = 0;
    };
    for (const unit of units) {
      const unitBytes = unit.reduce((sum, c) => sum + sizeOf(c), 0);
      if (chunk.length > 0 && bytes + unitBytes > budget) flush();
      chunk.push(...unit);
      bytes += unitBytes;
    }
    flush();
  };
  // Changes that share an address (a deposed object) are judged in the same shard.
  const byAddress = (changes: readonly Change[]): Change[][] => {
    const units = new Map<unknown, Change[]>();
    for (const change of changes) {
      const unit = units.get(change.address);
      if (unit === undefined) units.set(change.address, [change]);
      else unit.push(change);
    }
    return [...units.values()];
  };

  const whole = new Set(
    [...byType.keys()].filter((t) => reads.get(t)?.judged === true && reads.get(t)?.whole === true),
  );
  for (const group of wholeGroups(whole, reads)) {
    const all = ofTypes(withContext(group, reads));
    // Every shard of the group carries all of it: what it judges gets what is left of the bound,
    // and never less than half of it.
    const carriedBytes = all.reduce((sum, c) => sum + sizeOf(c), 0);
    cut(byAddress(ofTypes(group)), () => all, Math.max(maxBytes - carriedBytes, maxBytes / 2));
  }

  // Module-scoped and per-resource types: a unit is a module instance or an address.
  const units = new Map<string, Change[]>();
  for (const change of plan.resource_changes) {
    const typeReads = reads.get(change.type as string);
    if (typeReads?.judged !== true || typeReads.whole === true) continue;
    const key =
      typeReads.whole === 'module'
        ? `module ${(change.module_address as string | undefined) ?? ''}`
        : `address ${change.address as string}`;
    const unit = units.get(key);
    if (unit === undefined) units.set(key, [change]);
    else unit.push(change);
  }
  cut(units.values(), (chunk) => {
    const inChunk = new Set(chunk);
    const chunkTypes = new Set(chunk.map((c) => c.type as string));
    const context = withContext(
      [...chunkTypes].flatMap((t) => reads.get(t)?.context ?? []),
      reads,
    );
    return [...chunk, ...ofTypes(context).filter((c) => !inChunk.has(c))];
  });
  return shards;
}
