/** A Terraform resource address split into the parts needed to find its declaration. */
export interface ParsedAddress {
  /** Module call names from the root, without instance keys: `module.a["x"].module.b` → [a, b]. */
  readonly modulePath: readonly string[];
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
}

interface Segment {
  readonly name: string;
}

/** Splits on dots outside brackets; instance keys may be quoted strings holding dots. */
function segments(address: string): Segment[] | undefined {
  const out: Segment[] = [];
  let i = 0;
  while (i < address.length) {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(address.slice(i));
    if (match === null) return undefined;
    i += match[0].length;
    if (address[i] === '[') {
      i++;
      if (address[i] === '"') {
        i++;
        while (i < address.length && address[i] !== '"') i += address[i] === '\\' ? 2 : 1;
        i++;
      } else {
        while (i < address.length && address[i] !== ']') i++;
      }
      if (address[i] !== ']') return undefined;
      i++;
    }
    out.push({ name: match[0] });
    if (i < address.length) {
      if (address[i] !== '.') return undefined;
      i++;
    }
  }
  return out;
}

/** Parses `module.db.aws_db_instance.this[0]`; undefined for anything that is not an address. */
export function parseResourceAddress(address: string): ParsedAddress | undefined {
  const parts = segments(address);
  if (parts === undefined) return undefined;
  const modulePath: string[] = [];
  let i = 0;
  while (parts[i]?.name === 'module' && parts[i + 1] !== undefined && parts.length - i > 3) {
    modulePath.push((parts[i + 1] as Segment).name);
    i += 2;
  }
  let mode: ParsedAddress['mode'] = 'managed';
  if (parts[i]?.name === 'data' && parts.length - i === 3) {
    mode = 'data';
    i++;
  }
  const type = parts[i]?.name;
  const name = parts[i + 1]?.name;
  if (type === undefined || name === undefined || type === 'module' || parts.length !== i + 2) {
    return undefined;
  }
  return { modulePath, mode, type, name };
}
