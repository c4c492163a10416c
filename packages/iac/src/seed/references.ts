// The evaluator writes what only a provider knows as «ref:ADDRESS#PATH». The seed creates the
// resources in dependency order and substitutes each reference with the attribute the creating
// call returned.

const REFERENCE = /«ref:([^#»]+)#([^»]*)»/g;
const WHOLE = /^«ref:([^#»]+)#([^»]*)»$/;

export interface Reference {
  readonly address: string;
  /** Dotted attribute path: `id`, `vpc_config.0.cluster_security_group_id`. */
  readonly path: string;
}

/** A reference that cannot be resolved: the resource was not created, or has no such attribute. */
export class UnresolvedReferenceError extends Error {
  readonly reference: Reference;
  constructor(reference: Reference, why: string) {
    super(`${reference.address}.${reference.path}: ${why}`);
    this.reference = reference;
  }
}

/** Every reference inside a value (strings, lists, objects). */
export function referencesIn(value: unknown, out: Reference[] = []): Reference[] {
  if (typeof value === 'string') {
    for (const m of value.matchAll(REFERENCE))
      out.push({ address: m[1] as string, path: m[2] as string });
  } else if (Array.isArray(value)) {
    for (const v of value) referencesIn(v, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) referencesIn(v, out);
  }
  return out;
}

export type AttributeLookup = (address: string) => Readonly<Record<string, unknown>> | undefined;

function dig(attributes: Readonly<Record<string, unknown>>, reference: Reference): unknown {
  let current: unknown = attributes;
  for (const step of reference.path.split('.')) {
    if (current === null || current === undefined) break;
    current = Array.isArray(current)
      ? current[Number(step)]
      : (current as Record<string, unknown>)[step];
  }
  if (current === undefined) {
    throw new UnresolvedReferenceError(reference, 'the created resource has no such attribute');
  }
  return current;
}

/**
 * Substitutes every reference. A string that is exactly one reference takes the attribute's value
 * as it is (a list, a number); a reference inside a longer string is interpolated.
 */
export function resolveReferences<T>(value: T, lookup: AttributeLookup): T {
  const resolve = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      const one = (address: string, path: string): unknown => {
        const attributes = lookup(address);
        if (attributes === undefined) {
          throw new UnresolvedReferenceError({ address, path }, 'the resource was not created');
        }
        return dig(attributes, { address, path });
      };
      if (whole !== null) return one(whole[1] as string, whole[2] as string);
      return v.replace(REFERENCE, (_m, address: string, path: string) =>
        String(one(address, path)),
      );
    }
    if (Array.isArray(v)) return v.map(resolve);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    }
    return v;
  };
  return resolve(value) as T;
}
