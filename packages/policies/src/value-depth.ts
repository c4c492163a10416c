/**
 * How deep a JSON value nests, measured without recursion. Every later step that walks a value
 * (redaction, JSON.stringify for the wasm input, the wasm policy's own JSON parser) recurses, so a
 * value nested 100,000 levels deep would overflow its stack; the readers refuse such values first,
 * with the path to where the nesting goes past the limit.
 */

/** No provider schema or Kubernetes object nests anywhere near this deep. */
export const MAX_VALUE_DEPTH = 64;

/**
 * The path (`a.b[0]…`) to the first point where `value` nests deeper than `limit` arrays and
 * objects, or undefined when it does not.
 */
export function tooDeepAt(value: unknown, limit: number = MAX_VALUE_DEPTH): string | undefined {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const top = stack.pop() as { value: unknown; depth: number; path: string };
    if (typeof top.value !== 'object' || top.value === null) continue;
    if (top.depth >= limit) return top.path === '' ? '(top)' : top.path;
    if (Array.isArray(top.value)) {
      for (let i = 0; i < top.value.length; i++) {
        stack.push({ value: top.value[i], depth: top.depth + 1, path: `${top.path}[${i}]` });
      }
    } else {
      for (const [key, child] of Object.entries(top.value)) {
        const path = top.path === '' ? key : `${top.path}.${key}`;
        stack.push({ value: child, depth: top.depth + 1, path });
      }
    }
  }
  return undefined;
}
