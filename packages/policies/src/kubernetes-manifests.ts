import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments } from 'yaml';
import { PolicyInputError } from './errors.ts';

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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a multi-document YAML file (rendered Helm output, kubectl manifests). Empty documents
 * (only comments, a trailing `---`) are skipped; `kind: List` is expanded into its items. Each
 * object keeps the 1-based line where its document starts, for findings and SARIF.
 */
export async function readManifestFile(file: string): Promise<ManifestObject[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PolicyInputError('INPUT_NOT_FOUND', file, 'no such file');
    }
    throw error;
  }
  if (text.trim() === '') {
    throw new PolicyInputError('EMPTY_FILE', file, 'the manifest file is empty');
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(documents)) {
    throw new PolicyInputError('INVALID_YAML', file, 'not a YAML stream');
  }
  const objects: ManifestObject[] = [];
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
    if (
      !isObject(value) ||
      typeof value.kind !== 'string' ||
      typeof value.apiVersion !== 'string'
    ) {
      throw new PolicyInputError(
        'INVALID_MANIFEST',
        file,
        `line ${line}: a Kubernetes manifest document must be a mapping with apiVersion and kind`,
      );
    }
    if (value.kind === 'List' && Array.isArray(value.items)) {
      for (const item of value.items) {
        if (isObject(item)) objects.push({ object: item, file, line });
      }
      continue;
    }
    objects.push({ object: value, file, line });
  }
  return objects;
}

export async function readManifests(files: readonly string[]): Promise<LoadedManifests> {
  const objects: ManifestObject[] = [];
  for (const file of files) objects.push(...(await readManifestFile(file)));
  return { kind: 'kubernetes', files, objects };
}
