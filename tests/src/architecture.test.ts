import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, repoPath } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPackageGraph,
  importsOf,
  type PackageGraph,
  parseGraphTable,
  readWorkspace,
} from './package-graph.ts';

const WORKSPACE_FOLDERS = ['packages', 'services', 'tests'];

let graph: PackageGraph;
beforeAll(async () => {
  graph = parseGraphTable(await readFile(repoPath('docs', 'architecture.md'), 'utf8'));
});

describe('the package graph of docs/architecture.md', () => {
  it('has a row for every workspace package', async () => {
    const names = (await readWorkspace(REPO_ROOT, WORKSPACE_FOLDERS)).map((p) => p.name);
    expect(names.length).toBeGreaterThanOrEqual(13);
    expect(names.filter((n) => !graph.has(n))).toEqual([]);
    expect(graph.get('core')).toEqual({ name: 'core', runtime: [], tests: [] });
    expect(graph.get('chaos')?.runtime).toContain('sandbox/client');
  });

  it('holds: every package.json and every import stays within its row', async () => {
    const packages = await readWorkspace(REPO_ROOT, WORKSPACE_FOLDERS);
    expect(await checkPackageGraph(REPO_ROOT, packages, graph)).toEqual([]);
  });
});

describe('the check catches what the graph forbids (negative twin)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'stackproof-graph-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function pkg(
    name: string,
    manifest: { dependencies?: string[]; devDependencies?: string[]; exports?: string[] },
    files: Record<string, string>,
  ): Promise<void> {
    const dir = join(root, 'packages', name);
    const deps = (list: string[] | undefined) =>
      Object.fromEntries((list ?? []).map((d) => [`@stackproof/${d}`, 'workspace:*']));
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({
        name: `@stackproof/${name}`,
        exports: Object.fromEntries((manifest.exports ?? ['.']).map((e) => [e, './src/index.ts'])),
        dependencies: deps(manifest.dependencies),
        devDependencies: deps(manifest.devDependencies),
      }),
    );
    for (const [file, source] of Object.entries(files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), source);
    }
  }

  it('reports each kind of forbidden import, naming the file and line', async () => {
    await pkg(
      'core',
      { dependencies: ['sandbox'] },
      {
        'src/index.ts': "export const a = 1;\nimport { sandboxUp } from '@stackproof/sandbox';\n",
      },
    );
    await pkg('sandbox', { exports: ['.', './client'] }, { 'src/index.ts': 'export {};\n' });
    await pkg('toolchain', {}, { 'src/index.ts': 'export {};\n' });
    await pkg(
      'chaos',
      { dependencies: ['core', 'sandbox'], devDependencies: ['sandbox'] },
      {
        // the client subpath is allowed, the whole sandbox is not (at run time)
        'src/ok.ts': "import { SandboxClient } from '@stackproof/sandbox/client';\n",
        'src/bad.ts': "import { sandboxUp } from '@stackproof/sandbox';\n",
        // tests may start a sandbox
        'src/bad.test.ts': "import { sandboxUp } from '@stackproof/sandbox';\n",
        'src/deep.ts': "import { x } from '@stackproof/sandbox/src/kube/pki.ts';\n",
        'src/relative.ts': "export { y } from '../../toolchain/src/index.ts';\n",
        'src/undeclared.ts': "import { resolveTool } from '@stackproof/toolchain';\n",
      },
    );
    await pkg('stray', {}, { 'src/index.ts': 'export {};\n' });
    const packages = await readWorkspace(root, ['packages']);
    const problems = (await checkPackageGraph(root, packages, graph)).map(
      (v) => `${v.where}: ${v.problem}`,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'packages/core/package.json: dependencies name @stackproof/sandbox, which the graph does not let core import',
        "packages/core/src/index.ts:2: imports '@stackproof/sandbox', which the graph does not allow core",
        "packages/chaos/src/bad.ts:1: imports '@stackproof/sandbox', which the graph does not allow chaos",
        "packages/chaos/src/deep.ts:1: '@stackproof/sandbox/src/kube/pki.ts' is a deep import: @stackproof/sandbox exports ., ./client",
        "packages/chaos/src/relative.ts:1: '../../toolchain/src/index.ts' reaches outside the package: import the other package by name",
        "packages/chaos/src/undeclared.ts:1: imports '@stackproof/toolchain' without declaring it in dependencies",
        'packages/stray/package.json: is not in the package graph of docs/architecture.md: add its row',
      ]),
    );
    expect(problems).toHaveLength(7);
  });
});

describe('reading imports', () => {
  it('finds static, type-only, re-export, side-effect and dynamic imports', () => {
    const source = [
      "import { a } from '@stackproof/core';",
      "import type { B } from '@stackproof/toolchain';",
      "export { c } from './c.ts';",
      "import './side-effect.ts';",
      "const d = await import('@stackproof/sandbox');",
      "import {\n  e,\n  f,\n} from '@stackproof/iac';",
      "// a comment: 'import x from y' in prose is not an import",
    ].join('\n');
    expect(importsOf(source).map((i) => i.specifier)).toEqual([
      '@stackproof/core',
      '@stackproof/toolchain',
      './c.ts',
      './side-effect.ts',
      '@stackproof/sandbox',
      '@stackproof/iac',
    ]);
    expect(importsOf("const x = 1;\n\nimport './a.ts';").map((i) => i.line)).toEqual([3]);
  });
});

describe('house conventions the graph relies on', () => {
  it('test helpers have one name and no build ships them or the tests', async () => {
    const packages = await readWorkspace(REPO_ROOT, WORKSPACE_FOLDERS);
    for (const pkg of packages) {
      const build = join(pkg.dir, 'tsconfig.build.json');
      if (!existsSync(build)) continue;
      const config = JSON.parse(await readFile(build, 'utf8')) as { exclude?: string[] };
      expect(config.exclude, build).toEqual(
        expect.arrayContaining(['src/**/*.test.ts', 'src/**/*.test-helpers.ts']),
      );
    }
  });
});
