import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseResourceAddress } from './resource-address.ts';

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DECLARATION = /^\s*(resource|data)\s+"?([A-Za-z0-9_-]+)"?\s+"?([A-Za-z0-9_-]+)"?\s*\{/;

/** A path as findings show it: relative to the working directory when inside it, posix style. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const absolute = resolve(cwd, path);
  const rel = relative(cwd, absolute);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
  return shown.split(sep).join('/');
}

/**
 * Maps plan addresses to the .tf file and line that declare the resource. Module directories come
 * from `.terraform/modules/modules.json` when `terraform init` left one (it covers registry and
 * git sources), otherwise from local `source` paths in the plan's configuration, each relative to
 * the directory of the module that calls it.
 */
export class SourceLocator {
  readonly #rootDir: string;
  readonly #configuration: Record<string, unknown> | undefined;
  readonly #declarations = new Map<string, Map<string, SourceLocation>>();
  readonly #moduleDirs = new Map<string, string | undefined>();
  readonly #installedModules: Map<string, string> | undefined;

  constructor(rootDir: string, configuration: unknown) {
    this.#rootDir = resolve(rootDir);
    this.#configuration = isObject(configuration) ? configuration : undefined;
    this.#installedModules = this.#readModulesJson();
  }

  #readModulesJson(): Map<string, string> | undefined {
    const file = join(this.#rootDir, '.terraform', 'modules', 'modules.json');
    if (!existsSync(file)) return undefined;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      const modules = isObject(parsed) ? parsed.Modules : undefined;
      if (!Array.isArray(modules)) return undefined;
      const dirs = new Map<string, string>();
      for (const entry of modules) {
        if (isObject(entry) && typeof entry.Key === 'string' && typeof entry.Dir === 'string') {
          dirs.set(entry.Key, resolve(this.#rootDir, entry.Dir));
        }
      }
      return dirs;
    } catch {
      return undefined;
    }
  }

  #moduleDir(modulePath: readonly string[]): string | undefined {
    if (modulePath.length === 0) return this.#rootDir;
    const key = modulePath.join('.');
    if (this.#moduleDirs.has(key)) return this.#moduleDirs.get(key);
    let dir = this.#installedModules?.get(key);
    if (dir === undefined) {
      let current = this.#rootDir as string | undefined;
      let module: unknown = this.#configuration?.root_module;
      for (const name of modulePath) {
        const call =
          isObject(module) && isObject(module.module_calls) ? module.module_calls[name] : undefined;
        const source = isObject(call) ? call.source : undefined;
        if (current === undefined || typeof source !== 'string' || !/^\.\.?\//.test(source)) {
          current = undefined;
          break;
        }
        current = resolve(current, source);
        module = isObject(call) ? call.module : undefined;
      }
      dir = current;
    }
    this.#moduleDirs.set(key, dir);
    return dir;
  }

  #declarationsIn(dir: string): Map<string, SourceLocation> {
    const cached = this.#declarations.get(dir);
    if (cached !== undefined) return cached;
    const found = new Map<string, SourceLocation>();
    let names: string[] = [];
    try {
      names = readdirSync(dir)
        .filter((n) => n.endsWith('.tf'))
        .sort();
    } catch {
      // A module directory that is not on disk leaves its resources without a location.
    }
    for (const name of names) {
      const file = join(dir, name);
      const lines = readFileSync(file, 'utf8').split('\n');
      for (const [index, text] of lines.entries()) {
        const match = DECLARATION.exec(text);
        if (match === null) continue;
        const key = `${match[1]}.${match[2]}.${match[3]}`;
        if (!found.has(key)) found.set(key, { file, line: index + 1 });
      }
    }
    this.#declarations.set(dir, found);
    return found;
  }

  /** The declaration of `address`, or undefined when it cannot be found on disk. */
  locate(address: string): SourceLocation | undefined {
    const parsed = parseResourceAddress(address);
    if (parsed === undefined) return undefined;
    const dir = this.#moduleDir(parsed.modulePath);
    if (dir === undefined) return undefined;
    const keyword = parsed.mode === 'data' ? 'data' : 'resource';
    return this.#declarationsIn(dir).get(`${keyword}.${parsed.type}.${parsed.name}`);
  }
}

/** The root module directory for a plan: --source-dir, else the plan's folder if it holds .tf files, else cwd. */
export function defaultSourceDir(planFile: string, cwd: string = process.cwd()): string {
  const planDir = resolve(cwd, planFile, '..');
  try {
    if (readdirSync(planDir).some((n) => n.endsWith('.tf'))) return planDir;
  } catch {
    // fall through to cwd
  }
  return cwd;
}
