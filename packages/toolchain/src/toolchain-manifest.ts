import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ToolchainEntry {
  readonly name: string;
  readonly version: string;
  /** env | path | cache | built | npm-registry | corepack | debian | pypi */
  readonly source: string;
  readonly path: string;
}

/** Where tools/bootstrap.sh keeps its cache (same rule as the script). */
export function toolchainCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.STACKPROOF_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stackproof')
  );
}

/** Reads the record the bootstrap wrote of every tool, its version and where it came from. */
export async function readToolchainManifest(
  cacheDir: string = toolchainCacheDir(),
): Promise<ToolchainEntry[]> {
  const text = await readFile(join(cacheDir, 'toolchain.json'), 'utf8');
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new TypeError(`${cacheDir}/toolchain.json is not a JSON array`);
  return parsed.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) {
      throw new TypeError(`toolchain.json entry ${i} is not an object`);
    }
    const e = entry as Record<string, unknown>;
    for (const key of ['name', 'version', 'source', 'path'] as const) {
      if (typeof e[key] !== 'string') {
        throw new TypeError(`toolchain.json entry ${i} lacks a string '${key}'`);
      }
    }
    return {
      name: e.name as string,
      version: e.version as string,
      source: e.source as string,
      path: e.path as string,
    };
  });
}
