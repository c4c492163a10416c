import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments } from 'yaml';
import { PolicyInputError } from './errors.ts';
import { decodeText, TextDecodingError, UnsupportedEncodingError } from './text-encoding.ts';
import { MAX_VALUE_DEPTH, tooDeepAt } from './value-depth.ts';

/** One Kubernetes object and where it was declared, as the policy contract passes it. */
export interface ManifestObject {
  readonly object: Record<string, unknown>;
  readonly file: string;
  readonly line: number;
}

export interface LoadedManifests {
  readonly kind: 'kubernetes';
  readonly files: readonly string[];
  readonly objects: readonly ManifestObject[];
}

/** One file's objects (of the kinds asked for) and the identity of every object in it. */
export interface ManifestFile {
  readonly file: string;
  readonly objects: readonly ManifestObject[];
  /** `Kind/namespace/name` of every named object of the file, whatever its kind. */
  readonly identities: readonly string[];
}

export interface ReadManifestOptions {
  /** Only objects of these kinds are kept (the kinds the policies read); all when absent. */
  readonly kinds?: ReadonlySet<string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why an object cannot be a Kubernetes object, or undefined when its header is sound. */
function headerProblem(value: unknown): string | undefined {
  if (!isObject(value) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
    return 'a Kubernetes manifest document must be a mapping with apiVersion and kind';
  }
  const metadata = value.metadata;
  if (metadata === undefined || metadata === null) return undefined;
  if (!isObject(metadata)) return `${value.kind}: metadata is not a mapping`;
  for (const field of ['name', 'namespace'] as const) {
    if (metadata[field] !== undefined && typeof metadata[field] !== 'string') {
      return `${value.kind}: metadata.${field} is not a string`;
    }
  }
  return undefined;
}

export function identity(object: Record<string, unknown>): string | undefined {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  if (typeof metadata.name !== 'string') return undefined;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
  return `${object.kind as string}/${namespace}/${metadata.name}`;
}

async function readText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PolicyInputError('INPUT_NOT_FOUND', file, 'no such file');
    }
    throw error;
  }
  try {
    return decodeText(bytes);
  } catch (error) {
    if (error instanceof UnsupportedEncodingError || error instanceof TextDecodingError) {
      throw new PolicyInputError(
        'UNSUPPORTED_ENCODING',
        file,
        `${error.message}; save it as UTF-8 and check it again`,
      );
    }
    throw error;
  }
}

/**
 * Parses a multi-document YAML file (rendered Helm output, kubectl manifests) in UTF-8 (with or
 * without a BOM) or UTF-16. Empty documents (only comments, a trailing `---`) are skipped; `kind:
 * List` is expanded into its items. Each object keeps the 1-based line where its document starts,
 * for findings and SARIF.
 */
export async function readManifestFile(
  file: string,
  options: ReadManifestOptions = {},
): Promise<ManifestFile> {
  const text = await readText(file);
  if (text.trim() === '') {
    throw new PolicyInputError('EMPTY_FILE', file, 'the manifest file is empty');
  }
  const lineCounter = new LineCounter();
  const objects: ManifestObject[] = [];
  const identities: string[] = [];
  const keep = (object: Record<string, unknown>, line: number): void => {
    const problem = headerProblem(object);
    if (problem !== undefined) {
      // Not a Kubernetes object at all (a values file) is told apart from a broken one.
      const code =
        isObject(object) && typeof object.kind === 'string' && typeof object.apiVersion === 'string'
          ? 'INVALID_OBJECT'
          : 'INVALID_MANIFEST';
      throw new PolicyInputError(code, file, `line ${line}: ${problem}`);
    }
    const id = identity(object);
    if (id !== undefined) identities.push(id);
    if (options.kinds !== undefined && !options.kinds.has(object.kind as string)) return;
    const deep = tooDeepAt(object);
    if (deep !== undefined) {
      throw new PolicyInputError(
        'INVALID_OBJECT',
        file,
        `line ${line}: ${deep} nests more than ${MAX_VALUE_DEPTH} levels deep; no Kubernetes object does`,
      );
    }
    objects.push({ object, file, line });
  };
  try {
    const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
    if (!Array.isArray(documents)) {
      throw new PolicyInputError('INVALID_YAML', file, 'not a YAML stream');
    }
    for (const document of documents) {
      const firstError = document.errors[0];
      if (firstError !== undefined) {
        const { line } = lineCounter.linePos(firstError.pos[0]);
        throw new PolicyInputError('INVALID_YAML', file, `line ${line}: ${firstError.message}`);
      }
      if (document.contents === null) continue;
      const start = document.contents.range?.[0] ?? document.range[0];
      const line = lineCounter.linePos(start).line;
      const value: unknown = document.toJS({ maxAliasCount: 100 });
      if (value === null || value === undefined) continue;
      if (isObject(value) && value.kind === 'List' && Array.isArray(value.items)) {
        for (const item of value.items) keep(item as Record<string, unknown>, line);
        continue;
      }
      keep(value as Record<string, unknown>, line);
    }
  } catch (error) {
    // The YAML library recurses over nested collections: a document nested tens of thousands of
    // levels deep overflows its stack. That is a property of the file, not a stackproof bug.
    if (error instanceof RangeError && /call stack/.test(error.message)) {
      throw new PolicyInputError(
        'INVALID_YAML',
        file,
        'the YAML nests too deeply to be read (tens of thousands of levels); no Kubernetes object does',
      );
    }
    if (error instanceof ReferenceError) {
      // An alias that points nowhere or too many aliases (the yaml library's guard against
      // resource exhaustion).
      throw new PolicyInputError('INVALID_YAML', file, error.message);
    }
    throw error;
  }
  return { file, objects, identities };
}

export async function readManifests(
  files: readonly string[],
  options: ReadManifestOptions = {},
): Promise<LoadedManifests> {
  const objects: ManifestObject[] = [];
  for (const file of files) objects.push(...(await readManifestFile(file, options)).objects);
  return { kind: 'kubernetes', files, objects };
}
