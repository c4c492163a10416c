// Shared by the main thread and the evaluation threads; imports nothing, so a thread starts
// without loading the rest of the package (its start is on the critical path of a large plan).

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rules' answer sits at the entrypoint, or under `main` when the entrypoint is a package. */
export function mainDocument(resultSet: unknown): Record<string, unknown> | undefined {
  const first: unknown = Array.isArray(resultSet) ? resultSet[0] : undefined;
  const result = isObject(first) ? first.result : undefined;
  if (isObject(result) && Array.isArray(result.results)) return result;
  if (isObject(result) && isObject(result.main) && Array.isArray(result.main.results)) {
    return result.main;
  }
  return undefined;
}

export const ENTRYPOINT = 'stackproof/main';
