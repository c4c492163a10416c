import { PolicyBundleError } from './errors.ts';

/**
 * What the policies read of one resource type, as the bundle declares it (`plan_reads` of
 * `stackproof/main`, merged over the families that read the type):
 * - `attributes`: the top-level attributes of `change.after` some rule reads; nothing else of a
 *   resource reaches the wasm policy (every input byte costs about 31 bytes of wasm heap);
 * - `judged`: some rule yields verdicts for resources of this type (else it is only read to judge
 *   other types, e.g. a parameter group for a database);
 * - `whole`: a verdict counts several resources of the type (NAT gateways of a network), so all
 *   of them are evaluated together; `'module'`: only those of the same module instance (the
 *   subnets of a tier), so each module instance's are evaluated together; `false`: the type is
 *   judged one resource at a time and can be evaluated in bounded shards;
 * - `context`: the types a verdict on this type needs besides the resource itself (all their
 *   resources travel with every shard).
 */
export interface TypeReads {
  readonly attributes: ReadonlySet<string>;
  readonly context: readonly string[];
  readonly whole: boolean | 'module';
  readonly judged: boolean;
}

export type PlanReads = ReadonlyMap<string, TypeReads>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new PolicyBundleError(`bundle plan_reads ${what} is not a list of strings`);
  }
  return value;
}

/** Reads and checks the bundle's `plan_reads`; a malformed one means a broken bundle. */
export function parsePlanReads(value: unknown): PlanReads {
  if (!isObject(value)) throw new PolicyBundleError('bundle plan_reads is not an object');
  const reads = new Map<string, TypeReads>();
  for (const [type, entry] of Object.entries(value)) {
    const whole = isObject(entry) ? entry.whole : undefined;
    if (
      !isObject(entry) ||
      (typeof whole !== 'boolean' && whole !== 'module') ||
      typeof entry.judged !== 'boolean'
    ) {
      throw new PolicyBundleError(`bundle plan_reads.${type} breaks the contract`);
    }
    reads.set(type, {
      attributes: new Set(strings(entry.attributes, `${type}.attributes`)),
      context: strings(entry.context, `${type}.context`),
      whole: whole as boolean | 'module',
      judged: entry.judged,
    });
  }
  return reads;
}

/** `types` and every type their contexts need, transitively. */
export function withContext(types: Iterable<string>, reads: PlanReads): Set<string> {
  const all = new Set<string>();
  const pending = [...types];
  while (pending.length > 0) {
    const type = pending.pop() as string;
    if (all.has(type)) continue;
    all.add(type);
    for (const needed of reads.get(type)?.context ?? []) pending.push(needed);
  }
  return all;
}
