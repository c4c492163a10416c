import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

// Who may import whom, read from the table in docs/architecture.md and checked against every
// workspace package's package.json and every import in its TypeScript files. The table is the
// rule; this module only reads and applies it, so the page and the check cannot drift apart.

const SCOPE = '@stackproof/';

/** One row of the table: a package, what its code may import, and what its tests may add. */
export interface GraphRule {
  /** Short name: `sandbox` for @stackproof/sandbox. */
  readonly name: string;
  /** Short names, or `name/subpath` where only that entry point is allowed. */
  readonly runtime: readonly string[];
  readonly tests: readonly string[];
}

export type PackageGraph = ReadonlyMap<string, GraphRule>;

/**
 * Reads the graph table: rows of the form
 *   | `chaos` | `core`, `toolchain`, `sandbox/client` | `sandbox` |
 * A cell holding no backticked name (`—`) allows nothing.
 */
export function parseGraphTable(markdown: string): PackageGraph {
  const start = markdown.indexOf('<!-- package-graph:start -->');
  const end = markdown.indexOf('<!-- package-graph:end -->');
  if (start < 0 || end < start) throw new Error('no package-graph table markers in the page');
  const graph = new Map<string, GraphRule>();
  for (const line of markdown.slice(start, end).split('\n')) {
    const cells = line.split('|').slice(1, -1);
    if (cells.length < 3) continue;
    const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    const [name] = names(cells[0] ?? '');
    if (name === undefined) continue;
    graph.set(name, { name, runtime: names(cells[1] ?? ''), tests: names(cells[2] ?? '') });
  }
  return graph;
}

export interface WorkspacePackage {
  /** Short name (`sandbox`), or the full name for a package outside the scope. */
  readonly name: string;
  readonly dir: string;
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
  /** Subpaths its package.json exports (`.`, `./client`). */
  readonly exports: readonly string[];
}

const shortName = (full: string): string =>
  full.startsWith(SCOPE) ? full.slice(SCOPE.length) : full;

/** The workspace's packages: every directory with a package.json under the given folders. */
export async function readWorkspace(
  root: string,
  folders: readonly string[],
): Promise<WorkspacePackage[]> {
  const packages: WorkspacePackage[] = [];
  const dirs: string[] = [];
  for (const folder of folders) {
    if (existsSync(join(root, folder, 'package.json'))) {
      dirs.push(join(root, folder));
      continue;
    }
    if (!existsSync(join(root, folder))) continue;
    for (const entry of await readdir(join(root, folder), { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(root, folder, entry.name, 'package.json'))) {
        dirs.push(join(root, folder, entry.name));
      }
    }
  }
  for (const dir of dirs.sort()) {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      exports?: string | Record<string, string>;
    };
    const scoped = (deps: Record<string, string> | undefined) =>
      Object.keys(deps ?? {})
        .filter((d) => d.startsWith(SCOPE))
        .map(shortName);
    packages.push({
      name: shortName(manifest.name),
      dir,
      dependencies: scoped(manifest.dependencies),
      devDependencies: scoped(manifest.devDependencies),
      exports: typeof manifest.exports === 'object' ? Object.keys(manifest.exports) : ['.'],
    });
  }
  return packages;
}

/** A file is test code when it is a test, a test helper, or lives in a test or bench folder. */
export function isTestFile(pathInPackage: string): boolean {
  const parts = pathInPackage.split(sep);
  return (
    /\.test(-helpers)?\.ts$/.test(pathInPackage) ||
    parts.some((p) => p === 'test' || p === 'test-fixtures' || p === 'bench')
  );
}

async function typeScriptFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) {
      continue;
    }
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await typeScriptFiles(path)));
    else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier a file imports or re-exports, with its line. */
export function importsOf(source: string): { specifier: string; line: number }[] {
  const found: { specifier: string; line: number }[] = [];
  const pattern =
    /(?:^|[\s;])(?:import|export)\s*(?:type\s+)?(?:[\w*{}\s,]+\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const match of source.matchAll(pattern)) {
    const specifier = match[1] ?? match[2];
    if (specifier === undefined) continue;
    // The match may start with the whitespace before the keyword: count lines up to the keyword.
    const at = match.index + match[0].search(/import|export/);
    found.push({ specifier, line: source.slice(0, at).split('\n').length });
  }
  return found;
}

export interface Violation {
  readonly package: string;
  /** The file (relative to the root) or package.json. */
  readonly where: string;
  readonly problem: string;
}

/** Checks every package against the graph; returns what breaks it (empty: nothing). */
export async function checkPackageGraph(
  root: string,
  packages: readonly WorkspacePackage[],
  graph: PackageGraph,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const byName = new Map(packages.map((p) => [p.name, p]));
  const allowed = (list: readonly string[], target: string, subpath: string): boolean =>
    list.includes(subpath === '.' ? target : `${target}/${subpath.slice(2)}`) ||
    list.includes(target) ||
    list.includes('*');
  for (const pkg of packages) {
    const rule = graph.get(pkg.name);
    const rel = relative(root, pkg.dir);
    if (rule === undefined) {
      violations.push({
        package: pkg.name,
        where: `${rel}/package.json`,
        problem: 'is not in the package graph of docs/architecture.md: add its row',
      });
      continue;
    }
    const runtimeTargets = rule.runtime.map((r) => r.split('/')[0] as string);
    const testTargets = [...runtimeTargets, ...rule.tests.map((r) => r.split('/')[0] as string)];
    for (const dep of pkg.dependencies) {
      if (!runtimeTargets.includes(dep) && !rule.runtime.includes('*')) {
        violations.push({
          package: pkg.name,
          where: `${rel}/package.json`,
          problem: `dependencies name ${SCOPE}${dep}, which the graph does not let ${pkg.name} import`,
        });
      }
    }
    for (const dep of pkg.devDependencies) {
      if (!testTargets.includes(dep) && !rule.runtime.includes('*') && !rule.tests.includes('*')) {
        violations.push({
          package: pkg.name,
          where: `${rel}/package.json`,
          problem: `devDependencies name ${SCOPE}${dep}, which not even ${pkg.name}'s tests may import`,
        });
      }
    }
    for (const file of await typeScriptFiles(pkg.dir)) {
      const inPackage = relative(pkg.dir, file);
      const test = isTestFile(inPackage);
      const source = await readFile(file, 'utf8');
      for (const { specifier, line } of importsOf(source)) {
        const where = `${relative(root, file)}:${line}`;
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (!target.startsWith(pkg.dir + sep)) {
            violations.push({
              package: pkg.name,
              where,
              problem: `'${specifier}' reaches outside the package: import the other package by name`,
            });
          }
          continue;
        }
        if (!specifier.startsWith(SCOPE)) continue;
        const [scopedName, ...rest] = specifier.slice(SCOPE.length).split('/');
        const target = scopedName as string;
        const subpath = rest.length === 0 ? '.' : `./${rest.join('/')}`;
        if (target === pkg.name) continue;
        const targetPkg = byName.get(target);
        if (targetPkg !== undefined && !targetPkg.exports.includes(subpath)) {
          violations.push({
            package: pkg.name,
            where,
            problem: `'${specifier}' is a deep import: ${SCOPE}${target} exports ${targetPkg.exports.join(', ')}`,
          });
          continue;
        }
        const ok = test
          ? allowed(rule.runtime, target, subpath) || allowed(rule.tests, target, subpath)
          : allowed(rule.runtime, target, subpath);
        if (!ok) {
          violations.push({
            package: pkg.name,
            where,
            problem: `${test ? 'a test ' : ''}imports '${specifier}', which the graph does not allow ${pkg.name}${test ? "'s tests" : ''}`,
          });
          continue;
        }
        const declared = test ? [...pkg.dependencies, ...pkg.devDependencies] : pkg.dependencies;
        if (!declared.includes(target)) {
          violations.push({
            package: pkg.name,
            where,
            problem: `imports '${specifier}' without declaring it in ${test ? 'devDependencies or dependencies' : 'dependencies'}`,
          });
        }
      }
    }
  }
  return violations;
}
