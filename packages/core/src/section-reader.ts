/** A JSON object (not null, not an array): what every expectations section must be. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The checks every proof's expectations section repeats, collecting every problem at once (the
 * parsers return `{ config, warnings, errors }`): an unknown key is a warning (a typo must not
 * silently take the default), a bad number an error that names its path and the value seen.
 */
export interface SectionReader {
  readonly warnings: string[];
  readonly errors: string[];
  /** Warns about each key of `obj` not in `keys`, named `${where}${key}`. */
  known(where: string, obj: Record<string, unknown>, keys: readonly string[]): void;
  /**
   * A finite number above 0 (or 0 too, with `allowZero`); absent gives `fallback`, anything else
   * is an error and gives `fallback`. `unit` ends the message: "a positive number of seconds".
   */
  number(
    where: string,
    value: unknown,
    fallback: number,
    options?: { allowZero?: boolean; unit?: string },
  ): number;
}

export function sectionReader(): SectionReader {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    known(where, obj, keys) {
      for (const key of Object.keys(obj)) {
        if (!keys.includes(key)) warnings.push(`unknown key '${where}${key}' is ignored (typo?)`);
      }
    },
    number(where, value, fallback, options = {}) {
      if (value === undefined) return fallback;
      const allowZero = options.allowZero ?? false;
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        value < 0 ||
        (!allowZero && value === 0)
      ) {
        const what = `${allowZero ? 'non-negative' : 'positive'} number${options.unit === undefined ? '' : ` of ${options.unit}`}`;
        errors.push(`${where} must be a ${what}, got ${JSON.stringify(value)}`);
        return fallback;
      }
      return value;
    },
  };
}
