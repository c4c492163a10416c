import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ToolNotFoundError } from './tool-not-found-error.ts';

export interface ResolvedTool {
  readonly name: string;
  readonly path: string;
  /** How it was found: the tool's env var, or a PATH search. */
  readonly via: 'env' | 'path';
}

/** `kube-apiserver` → `KUBE_APISERVER_BIN`: the convention tools/bootstrap.sh exports. */
export function toolEnvVar(name: string): string {
  return `${name.toUpperCase().replaceAll('-', '_')}_BIN`;
}

/** Whether `path` is a regular file this process may execute. */
export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds a tool binary: `<NAME>_BIN` first (a user's own build wins), then PATH. The bootstrap's
 * env.sh sets both, so tests started from `make test` always resolve to the pinned build.
 */
export function resolveTool(name: string, env: NodeJS.ProcessEnv = process.env): ResolvedTool {
  const envVar = toolEnvVar(name);
  const fromEnv = env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isExecutableFile(fromEnv)) {
      throw new ToolNotFoundError(name, envVar, `${envVar}=${fromEnv} is not an executable file`);
    }
    return { name, path: fromEnv, via: 'env' };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return { name, path: candidate, via: 'path' };
  }
  return notFound(name, envVar);
}

function notFound(name: string, envVar: string): never {
  throw new ToolNotFoundError(name, envVar, `${envVar} is unset and it is not on PATH`);
}
