import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@stackproof/core';
import { parse } from 'yaml';
import { backendSettingsPath, ENVIRONMENTS_DIR, rootStateKey } from '../backends.ts';
import { DeliveryError } from '../delivery-error.ts';
import {
  outputsFileName,
  readWorkspaces,
  UPSTREAM_TFVARS_FILE,
  upstreamOf,
  type WorkspaceSpec,
} from '../workspaces.ts';
import {
  type Guard,
  interpret,
  type SimpleCommand,
  UNKNOWN,
  type Variables,
  type Word,
} from './shell.ts';

/** One thing a workflow runs that cannot work: a missing script, subcommand, flag, file or setting. */
export interface WorkflowProblem {
  /** Workflow file name (`infrastructure.yml`). */
  readonly workflow: string;
  /** Job id, with the matrix values or inputs of the instance (`plan [workspace=rds]`). */
  readonly job: string;
  /** Step name, or `#<n>` for an unnamed step. */
  readonly step: string;
  readonly message: string;
}

/** What the CLI answered to `stackproof <subcommand> --help`. */
export interface HelpAnswer {
  readonly exitCode: number;
  readonly stdout: string;
}

export interface CheckWorkflowsOptions {
  /** The checkout the workflows run in (default: this repository). */
  readonly repoRoot?: string;
  /** Where the workflow files are (default: <repoRoot>/.github/workflows). */
  readonly workflowsDir?: string;
  /** Runs `stackproof <args>` (default: the real CLI of the checkout, with Node). */
  readonly runCli?: (args: readonly string[]) => Promise<HelpAnswer>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PNPM_BUILTINS = new Set([
  'install',
  'i',
  'add',
  'remove',
  'update',
  'up',
  'list',
  'ls',
  'why',
  'store',
  'fetch',
  'dlx',
  'audit',
  'outdated',
  'prune',
  'rebuild',
  'config',
  'env',
  'licenses',
  'approve-builds',
]);

/** Commands that create files a later step reads, beyond what the shell shows. */
const KNOWN_PRODUCERS: Readonly<Record<string, readonly string[]>> = {
  // tools/bootstrap.sh writes the toolchain's environment file.
  'make tools': ['~/.cache/stackproof/env.sh'],
};

/** stackproof flags that take no value (every other `--flag` is followed by its value). */
const STACKPROOF_BOOLEAN_FLAGS = new Set([
  '--fail-on-unknown',
  '--help',
  '--version',
  '--dry-run',
  '--no-cluster',
  '--connection-reuse',
]);

interface Instance {
  readonly inputs: Readonly<Record<string, string | undefined>>;
  readonly matrix: Readonly<Record<string, string | undefined>>;
  readonly label: string;
}

/** What one root workflow and the reusable workflows it calls have in common. */
interface Family {
  readonly environments: Set<string>;
  /** Absolute root dir → where it was initialised with a backend. */
  readonly backendRoots: Map<string, Where>;
}

interface Where {
  readonly workflow: string;
  readonly job: string;
  readonly step: string;
}

interface JobState {
  /** Files written, and folders written with their content (a downloaded artifact). */
  readonly produced: Set<string>;
  /** Folders made empty (`mkdir`): they exist, what is in them does not yet. */
  readonly folders: Set<string>;
  /** Produced tfvars files → the variables they set. */
  readonly tfvars: Map<string, ReadonlySet<string>>;
  readonly initialised: Set<string>;
  checkedOut: boolean;
}

interface PendingHelp {
  readonly words: readonly string[];
  readonly flags: readonly string[];
  readonly where: Where;
}

class Checker {
  readonly problems: WorkflowProblem[] = [];
  readonly pendingHelp: PendingHelp[] = [];
  private readonly tracked: Set<string>;
  private readonly packagesByName = new Map<string, string>();
  private readonly workspaces: WorkspaceSpec[];
  private readonly workflows = new Map<string, Obj>();
  readonly repoRoot: string;

  constructor(repoRoot: string, workflowsDir: string) {
    this.repoRoot = repoRoot;
    this.tracked = trackedPaths(repoRoot);
    this.workspaces = readWorkspaces(join(repoRoot, 'terraform'));
    for (const pattern of ['packages', 'services']) {
      const dir = join(repoRoot, pattern);
      if (!existsSync(dir)) continue;
      for (const entry of readdirSync(dir)) {
        const pkg = join(dir, entry, 'package.json');
        if (!existsSync(pkg)) continue;
        const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name;
        if (name !== undefined) this.packagesByName.set(name, join(dir, entry));
      }
    }
    for (const file of readdirSync(workflowsDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()) {
      let doc: unknown;
      try {
        doc = parse(readFileSync(join(workflowsDir, file), 'utf8'));
      } catch (error) {
        throw new DeliveryError(
          'WORKFLOW_UNREADABLE',
          `${file} is not YAML: ${(error as Error).message}`,
        );
      }
      if (!isObj(doc)) throw new DeliveryError('WORKFLOW_UNREADABLE', `${file} is not a mapping`);
      this.workflows.set(file, doc);
    }
  }

  checkAll(): void {
    const called = new Set<string>();
    for (const doc of this.workflows.values()) {
      for (const job of Object.values(isObj(doc.jobs) ? doc.jobs : {})) {
        if (isObj(job) && typeof job.uses === 'string' && job.uses.startsWith('./')) {
          called.add(basename(job.uses));
        }
      }
    }
    for (const [file, doc] of this.workflows) {
      const on = doc.on;
      const triggers = isObj(on) ? Object.keys(on) : typeof on === 'string' ? [on] : [];
      const onlyCalled = triggers.length > 0 && triggers.every((t) => t === 'workflow_call');
      // A reusable workflow is checked through its callers, with the inputs they pass.
      if (onlyCalled && called.has(file)) continue;
      const family: Family = { environments: new Set(), backendRoots: new Map() };
      this.checkWorkflow(file, { inputs: inputDefaults(doc), matrix: {}, label: '' }, family);
      this.checkFamilyBackends(family);
    }
  }

  private problem(where: Where, message: string): void {
    this.problems.push({ ...where, message });
  }

  private rel(path: string): string {
    return path.startsWith('~/') ? path : relative(this.repoRoot, path) || '.';
  }

  private checkWorkflow(file: string, instance: Instance, family: Family): void {
    const doc = this.workflows.get(file);
    if (doc === undefined) return;
    const workflowEnv = this.evalEnv(doc.env, instance, {});
    for (const [jobId, job] of Object.entries(isObj(doc.jobs) ? doc.jobs : {})) {
      if (!isObj(job)) continue;
      for (const jobInstance of matrixInstances(job, instance, (v) =>
        this.subst(v, instance, {}),
      )) {
        const where: Where = { workflow: file, job: `${jobId}${jobInstance.label}`, step: '' };
        const environment = isObj(job.environment) ? job.environment.name : job.environment;
        if (typeof environment === 'string') {
          const name = this.subst(environment, jobInstance, workflowEnv);
          if (!name.includes(UNKNOWN)) family.environments.add(name);
        }
        if (typeof job.uses === 'string') {
          this.checkCall(job, jobInstance, where, family);
          continue;
        }
        this.checkSteps(file, job, jobInstance, workflowEnv, where, family);
      }
    }
  }

  private checkCall(job: Obj, instance: Instance, where: Where, family: Family): void {
    const uses = job.uses as string;
    if (!uses.startsWith('./')) return;
    const target = basename(uses);
    const called = this.workflows.get(target);
    if (called === undefined) {
      this.problem(where, `calls ${uses}, which does not exist`);
      return;
    }
    const inputs: Record<string, string | undefined> = { ...inputDefaults(called) };
    for (const [name, value] of Object.entries(isObj(job.with) ? job.with : {})) {
      const text = this.subst(String(value), instance, {});
      inputs[name] = text.includes(UNKNOWN) ? undefined : text;
    }
    const label = ` [${Object.entries(inputs)
      .filter(([name, v]) => v !== undefined && ['environment', 'workspace'].includes(name))
      .map(([name, v]) => `${name}=${v}`)
      .join(', ')}]`;
    this.checkWorkflow(target, { inputs, matrix: {}, label }, family);
  }

  private checkSteps(
    file: string,
    job: Obj,
    instance: Instance,
    workflowEnv: Record<string, string | undefined>,
    jobWhere: Where,
    family: Family,
  ): void {
    const jobEnv = this.evalEnv(job.env, instance, workflowEnv);
    const state: JobState = {
      produced: new Set(),
      folders: new Set(),
      tfvars: new Map(),
      initialised: new Set(),
      checkedOut: false,
    };
    const defaults = isObj(job.defaults) && isObj(job.defaults.run) ? job.defaults.run : {};
    const steps = Array.isArray(job.steps) ? job.steps : [];
    for (const [index, step] of steps.entries()) {
      if (!isObj(step)) continue;
      const where: Where = {
        ...jobWhere,
        workflow: file,
        step: typeof step.name === 'string' ? step.name : `#${index + 1}`,
      };
      const env = this.evalEnv(step.env, instance, jobEnv);
      const workingDirectory =
        typeof step['working-directory'] === 'string'
          ? step['working-directory']
          : typeof defaults['working-directory'] === 'string'
            ? defaults['working-directory']
            : '.';
      const cwd = resolve(this.repoRoot, this.subst(workingDirectory, instance, env));
      if (typeof step.uses === 'string') {
        this.checkAction(step, instance, env, state, where);
        continue;
      }
      if (typeof step.run !== 'string') continue;
      if (cwd !== this.repoRoot) this.requirePath(cwd, state, [], where, 'working-directory');
      const vars: Variables = new Map(Object.entries(env));
      vars.set('GITHUB_WORKSPACE', this.repoRoot);
      vars.set('HOME', '~');
      const script = this.subst(step.run, instance, env);
      let dir = cwd;
      interpret(script, vars, {
        onCommand: (command) => {
          dir = this.checkCommand(command, dir, vars, state, where, family);
        },
      });
    }
  }

  private checkAction(
    step: Obj,
    instance: Instance,
    env: Record<string, string | undefined>,
    state: JobState,
    where: Where,
  ): void {
    const uses = step.uses as string;
    const input = (name: string): string | undefined => {
      const value = isObj(step.with) ? step.with[name] : undefined;
      return value === undefined || value === null
        ? undefined
        : this.subst(String(value), instance, env);
    };
    if (uses.startsWith('./')) {
      if (!this.isPresent(resolve(this.repoRoot, uses), state, [])) {
        this.problem(where, `uses ${uses}, which does not exist`);
      }
      return;
    }
    const action = uses.split('@')[0] ?? uses;
    if (action === 'actions/checkout') state.checkedOut = true;
    if (action === 'actions/download-artifact') {
      const path = input('path');
      if (path !== undefined && !path.includes(UNKNOWN))
        state.produced.add(resolve(this.repoRoot, path));
    }
    if (action === 'github/codeql-action/upload-sarif') {
      const file = input('sarif_file');
      if (file !== undefined) this.requireWord(file, this.repoRoot, state, [], where, 'sarif_file');
    }
    if (action === 'actions/upload-artifact' && input('if-no-files-found') !== 'ignore') {
      for (const line of (input('path') ?? '').split('\n')) {
        const path = line.trim();
        if (path === '' || path.startsWith('!')) continue;
        // A glob: its folder before the first wildcard must be there.
        const glob = path.search(/[*?[]/);
        const fixed = glob === -1 ? path : path.slice(0, path.lastIndexOf('/', glob) + 1) || '.';
        this.requireWord(fixed, this.repoRoot, state, [], where, 'upload-artifact path');
      }
    }
  }

  /** Follows one simple command; returns the working directory after it (`cd`). */
  private checkCommand(
    command: SimpleCommand,
    cwd: string,
    vars: Variables,
    state: JobState,
    where: Where,
    family: Family,
  ): string {
    for (const redirect of command.redirects) {
      const target = redirect.target;
      if (!target.resolved || target.text === '/dev/null') continue;
      const path = this.abs(target.text, cwd);
      if (redirect.op === '<')
        this.requirePath(path, state, command.guards, where, 'input redirection');
      else state.produced.add(path);
    }
    const argv = command.argv;
    const name = argv[0]?.text ?? '';
    const known = KNOWN_PRODUCERS[argv.map((w) => w.text).join(' ')];
    for (const path of known ?? []) state.produced.add(path);
    const pathArg = (word: Word | undefined, what: string) => {
      if (word !== undefined) this.requireWord(word.text, cwd, state, command.guards, where, what);
    };
    switch (name) {
      case 'cd':
        if (argv[1]?.resolved) {
          const dir = this.abs(argv[1].text, cwd);
          this.requirePath(dir, state, command.guards, where, 'cd');
          return dir;
        }
        return cwd;
      case 'mkdir':
      case 'touch':
        for (const word of argv.slice(1)) {
          if (word.text.startsWith('-') || !word.resolved) continue;
          (name === 'mkdir' ? state.folders : state.produced).add(this.abs(word.text, cwd));
        }
        return cwd;
      case '.':
      case 'source':
        pathArg(argv[1], 'sourced file');
        return cwd;
      case 'bash':
      case 'sh':
      case 'node':
        pathArg(
          argv.slice(1).find((w) => !w.text.startsWith('-')),
          `${name} script`,
        );
        return cwd;
      case 'make':
        this.checkMake(argv, cwd, state, where);
        return cwd;
      case 'pnpm':
        this.checkPnpm(argv, cwd, vars, state, where, family);
        return cwd;
      case 'stackproof':
        this.checkStackproof(argv, cwd, state, command.guards, where);
        return cwd;
      case 'terraform':
        this.checkTerraform(argv, cwd, state, command.guards, where, family);
        return cwd;
      case 'helm':
        this.checkHelm(argv, cwd, state, command.guards, where);
        return cwd;
      default:
        if (name.includes('/')) pathArg(argv[0], 'script');
        return cwd;
    }
  }

  private checkMake(argv: readonly Word[], cwd: string, state: JobState, where: Where): void {
    const makefile = join(cwd, 'Makefile');
    if (!this.requirePath(makefile, state, [], where, 'make')) return;
    const text = readFileSync(makefile, 'utf8');
    for (const target of argv
      .slice(1)
      .filter((w) => w.resolved && !w.text.startsWith('-') && !w.text.includes('='))) {
      const escaped = target.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (!new RegExp(`^${escaped}\\s*:`, 'm').test(text)) {
        this.problem(
          where,
          `make ${target.text}: ${this.rel(makefile)} has no target '${target.text}'`,
        );
      }
    }
  }

  private packageDirOf(dir: string): string {
    let current = dir;
    while (current.startsWith(this.repoRoot) && current !== this.repoRoot) {
      if (existsSync(join(current, 'package.json'))) return current;
      current = dirname(current);
    }
    return this.repoRoot;
  }

  private checkPnpm(
    argv: readonly Word[],
    cwd: string,
    vars: Variables,
    state: JobState,
    where: Where,
    family: Family,
  ): void {
    let i = 1;
    let filter: string | undefined;
    let dir = cwd;
    let recursive = false;
    while (i < argv.length && (argv[i] as Word).text.startsWith('-')) {
      const flag = (argv[i] as Word).text;
      if (flag === '--filter' || flag === '-F' || flag === '-C' || flag === '--dir') {
        const value = argv[i + 1]?.text;
        if (flag === '-C' || flag === '--dir')
          dir = value === undefined ? dir : this.abs(value, cwd);
        else filter = value;
        i += 2;
        continue;
      }
      if (flag.startsWith('--filter=')) filter = flag.slice('--filter='.length);
      if (flag === '-r' || flag === '--recursive') recursive = true;
      i++;
    }
    const command = argv[i]?.text;
    if (command === undefined || PNPM_BUILTINS.has(command)) return;
    let packageDir = this.packageDirOf(dir);
    if (filter !== undefined) {
      const byName = this.packagesByName.get(filter);
      if (byName === undefined) {
        this.problem(where, `pnpm --filter ${filter}: no workspace package is named ${filter}`);
        return;
      }
      packageDir = byName;
    }
    const scripts = readScripts(packageDir);
    const pkg = `${this.rel(join(packageDir, 'package.json'))}`;
    let script = command;
    let args = argv.slice(i + 1);
    if (command === 'run' || command === 'run-script') {
      script = argv[i + 1]?.text ?? '';
      args = argv.slice(i + 2);
    } else if (command === 'test' || command === 't') {
      script = 'test';
    } else if (command === 'exec') {
      this.runBin(argv.slice(i + 1), packageDir, state, where);
      return;
    }
    if (recursive) return; // `pnpm -r run x` runs x where it exists, anywhere.
    const text = scripts[script];
    if (text === undefined) {
      if (command !== 'run' && existsSync(join(packageDir, 'node_modules', '.bin', command))) {
        this.runBin(argv.slice(i), packageDir, state, where);
        return;
      }
      this.problem(
        where,
        `pnpm ${command === 'run' ? 'run ' : ''}${script}: ${pkg} has no script "${script}"`,
      );
      return;
    }
    // The script runs in its package with the step's environment; pnpm appends the arguments.
    const scriptVars: Variables = new Map(vars);
    let scriptDir = packageDir;
    interpret(text, scriptVars, {
      appendToLast: args,
      onCommand: (c) => {
        scriptDir = this.checkCommand(c, scriptDir, scriptVars, state, where, family);
      },
    });
  }

  private runBin(argv: readonly Word[], packageDir: string, state: JobState, where: Where): void {
    const bin = argv[0]?.text;
    if (bin === 'stackproof') {
      this.checkStackproof(argv, packageDir, state, [], where);
      return;
    }
    if (bin !== undefined && !existsSync(join(packageDir, 'node_modules', '.bin', bin))) {
      this.problem(
        where,
        `pnpm exec ${bin}: no such executable in ${this.rel(packageDir)}/node_modules/.bin`,
      );
    }
  }

  private checkStackproof(
    argv: readonly Word[],
    cwd: string,
    state: JobState,
    guards: readonly Guard[],
    where: Where,
  ): void {
    const words: string[] = [];
    let i = 1;
    while (i < argv.length && words.length < 2) {
      const word = argv[i] as Word;
      if (!word.resolved || !/^[a-z][a-z0-9-]*$/.test(word.text)) break;
      words.push(word.text);
      i++;
    }
    const positionals: Word[] = [];
    const options = new Map<string, Word | undefined>();
    for (; i < argv.length; i++) {
      const word = argv[i] as Word;
      if (word.text.startsWith('--')) {
        const [flag, inline] = word.text.split('=', 2) as [string, string | undefined];
        if (inline !== undefined) options.set(flag, { text: inline, resolved: word.resolved });
        else if (STACKPROOF_BOOLEAN_FLAGS.has(flag)) options.set(flag, undefined);
        else {
          options.set(flag, argv[i + 1]);
          i++;
        }
      } else {
        positionals.push(word);
      }
    }
    this.pendingHelp.push({ words, flags: [...options.keys()], where });
    const read = (word: Word | undefined, what: string) => {
      if (word === undefined) return;
      if (!word.resolved) {
        this.problem(
          where,
          `stackproof ${words.join(' ')}: cannot tell which ${what} '${printable(word.text)}' names`,
        );
        return;
      }
      this.requirePath(
        this.abs(word.text, cwd),
        state,
        guards,
        where,
        `stackproof ${words.join(' ')} ${what}`,
      );
    };
    const produce = (word: Word | undefined) => {
      if (word?.resolved) state.produced.add(this.abs(word.text, cwd));
    };
    const command = words.join(' ');
    if (command === 'policy check') {
      read(positionals[0], 'input');
      read(options.get('--source-dir'), '--source-dir');
      read(options.get('--waivers'), '--waivers');
      produce(options.get('--output'));
    }
    if (
      command === 'release deploy' ||
      command === 'release migrate' ||
      command === 'release prove'
    ) {
      read(options.get('--chart'), '--chart');
      read(options.get('--values'), '--values');
      // deploy/migrate: the outcome as JSON; prove: the report directory.
      produce(options.get('--out'));
    }
    if (command === 'chaos run' || command === 'chaos fis-template') {
      // The stack's outputs and the expectations must be there; the reports are written.
      read(options.get('--outputs'), '--outputs');
      read(options.get('--expectations'), '--expectations');
      read(options.get('--kubeconfig'), '--kubeconfig');
      produce(options.get('--out'));
    }
    if (command === 'gameday') {
      // The plans come from earlier jobs' artifacts, named by a loop: their paths are not read.
      read(options.get('--outputs'), '--outputs');
      read(options.get('--expectations'), '--expectations');
      read(options.get('--kubeconfig'), '--kubeconfig');
      produce(options.get('--out'));
    }
    if (command === 'live check') {
      read(options.get('--outputs'), '--outputs');
      read(options.get('--expectations'), '--expectations');
      produce(options.get('--output'));
    }
    if (command === 'terraform inputs') {
      const workspace = positionals[0];
      if (workspace === undefined || !workspace.resolved) {
        this.problem(
          where,
          `stackproof terraform inputs: cannot tell which workspace '${printable(workspace?.text ?? '')}' names`,
        );
        return;
      }
      const spec = this.workspaces.find((s) => s.name === workspace.text);
      if (spec === undefined) {
        this.problem(
          where,
          `stackproof terraform inputs ${workspace.text}: not a workspace of terraform/aws/workspaces.json`,
        );
        return;
      }
      const outputsDir = options.get('--outputs-dir');
      for (const upstream of upstreamOf(this.workspaces, spec.name)) {
        if (outputsDir === undefined || !outputsDir.resolved) {
          this.problem(
            where,
            `stackproof terraform inputs ${spec.name}: cannot tell where the outputs of ${upstream} are`,
          );
          continue;
        }
        this.requirePath(
          join(this.abs(outputsDir.text, cwd), outputsFileName(upstream)),
          state,
          guards,
          where,
          `outputs of ${upstream} (terraform output -json) for ${spec.name}`,
        );
      }
      const output = options.get('--output');
      const file =
        output === undefined
          ? join(this.repoRoot, 'terraform', 'aws', spec.name, UPSTREAM_TFVARS_FILE)
          : this.abs(output.text, cwd);
      state.produced.add(file);
      state.tfvars.set(file, new Set(Object.keys(spec.inputs)));
    }
  }

  private checkTerraform(
    argv: readonly Word[],
    cwd: string,
    state: JobState,
    guards: readonly Guard[],
    where: Where,
    family: Family,
  ): void {
    let i = 1;
    let root = cwd;
    while (i < argv.length && (argv[i] as Word).text.startsWith('-')) {
      const flag = argv[i] as Word;
      if (flag.text.startsWith('-chdir=')) {
        if (!flag.resolved) {
          this.problem(
            where,
            `terraform ${flag.text.replace(UNKNOWN, '…')}: cannot tell which root`,
          );
          return;
        }
        root = this.abs(flag.text.slice('-chdir='.length), cwd);
      }
      i++;
    }
    const sub = argv[i]?.text ?? '';
    const args = argv.slice(i + 1);
    const flags = args.filter((w) => w.text.startsWith('-'));
    const flagValue = (name: string) =>
      flags
        .filter((w) => w.text.startsWith(`${name}=`))
        .map((w) => ({ ...w, text: w.text.slice(name.length + 1) }));
    const has = (flag: string) => flags.some((w) => w.text === flag);
    const positional = args.filter((w) => !w.text.startsWith('-'));
    const rootName = this.rel(root);
    if (!this.requirePath(root, state, guards, where, `terraform -chdir`)) return;
    const requireInit = () => {
      if (!state.initialised.has(root)) {
        this.problem(where, `terraform ${sub} in ${rootName} before terraform init in this job`);
      }
    };
    switch (sub) {
      case 'init': {
        state.initialised.add(root);
        // init writes the lock file when none is committed.
        state.produced.add(join(root, '.terraform.lock.hcl'));
        if (has('-lockfile=readonly')) {
          const lock = join(root, '.terraform.lock.hcl');
          if (
            !this.isPresent(lock, { ...state, produced: withoutPath(state.produced, lock) }, guards)
          ) {
            this.problem(
              where,
              `terraform init -lockfile=readonly in ${rootName}, which has no committed .terraform.lock.hcl (init would fail; record one first)`,
            );
          }
        }
        if (has('-backend=false') || rootStateKey(root) === undefined) return;
        const configs = flagValue('-backend-config');
        if (configs.length === 0) {
          this.problem(
            where,
            `terraform init in ${rootName} without -backend-config: its S3 backend would have no bucket, lock table or region`,
          );
          return;
        }
        for (const config of configs) {
          if (!config.resolved) {
            this.problem(
              where,
              `terraform init in ${rootName}: cannot tell which backend settings '${printable(config.text)}' names`,
            );
            continue;
          }
          const file = this.abs(config.text, root);
          this.requirePath(file, state, guards, where, `backend settings of ${rootName}`);
          const environment = new RegExp(`^terraform/${ENVIRONMENTS_DIR}/([^/]+)/`).exec(
            this.rel(file),
          )?.[1];
          if (environment !== undefined) family.environments.add(environment);
        }
        if (!family.backendRoots.has(root)) family.backendRoots.set(root, where);
        return;
      }
      case 'plan': {
        requireInit();
        if (!has('-input=false'))
          this.problem(
            where,
            `terraform plan in ${rootName} without -input=false: CI cannot answer prompts`,
          );
        for (const file of flagValue('-var-file')) {
          if (file.resolved)
            this.requirePath(this.abs(file.text, root), state, guards, where, '-var-file');
        }
        this.checkVariables(root, args, state, where);
        for (const out of flagValue('-out')) {
          if (out.resolved) state.produced.add(this.abs(out.text, root));
        }
        return;
      }
      case 'show':
      case 'apply': {
        requireInit();
        if (sub === 'apply' && !has('-input=false')) {
          this.problem(
            where,
            `terraform apply in ${rootName} without -input=false: CI cannot answer prompts`,
          );
        }
        const plan = positional[0];
        if (plan !== undefined)
          this.requireWord(plan.text, root, state, guards, where, `saved plan`);
        return;
      }
      case 'output':
        requireInit();
        return;
      case 'providers':
        if (positional[0]?.text === 'lock') state.produced.add(join(root, '.terraform.lock.hcl'));
        return;
      default:
        return;
    }
  }

  /** Every variable of the root without a default must get a value, or plan -input=false stops. */
  private checkVariables(root: string, args: readonly Word[], state: JobState, where: Where): void {
    const required = requiredVariables(root);
    if (required.length === 0) return;
    const given = new Set<string>();
    for (const [index, word] of args.entries()) {
      const inline = /^-var=([A-Za-z_][A-Za-z0-9_]*)=/.exec(word.text)?.[1];
      if (inline !== undefined) given.add(inline);
      if (word.text === '-var') {
        const next = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(args[index + 1]?.text ?? '')?.[1];
        if (next !== undefined) given.add(next);
      }
      if (word.text.startsWith('-var-file=') && word.resolved) {
        const file = this.abs(word.text.slice('-var-file='.length), root);
        for (const name of tfvarsNames(file)) given.add(name);
      }
    }
    for (const [file, names] of state.tfvars) {
      if (dirname(file) === root && /\.auto\.tfvars(\.json)?$/.test(file))
        for (const n of names) given.add(n);
    }
    for (const file of existsSync(root) ? readdirSync(root) : []) {
      const path = join(root, file);
      if (
        (file === 'terraform.tfvars' || /\.auto\.tfvars(\.json)?$/.test(file)) &&
        this.tracked.has(path)
      ) {
        for (const name of tfvarsNames(path)) given.add(name);
      }
    }
    const missing = required.filter((name) => !given.has(name));
    if (missing.length > 0) {
      this.problem(
        where,
        `terraform plan -input=false in ${this.rel(root)} gives no value to ${missing.join(', ')} (no default; wire them with stackproof terraform inputs or pass them)`,
      );
    }
  }

  private checkHelm(
    argv: readonly Word[],
    cwd: string,
    state: JobState,
    guards: readonly Guard[],
    where: Where,
  ): void {
    const sub = argv[1]?.text;
    const rest = argv.slice(2);
    for (const [index, word] of rest.entries()) {
      if (word.text === '--values' || word.text === '-f') {
        const file = rest[index + 1];
        if (file !== undefined)
          this.requireWord(file.text, cwd, state, guards, where, 'helm values');
      }
    }
    if (sub === 'template' || sub === 'upgrade' || sub === 'install' || sub === 'lint') {
      const positional = rest.filter(
        (w, index) =>
          !w.text.startsWith('-') &&
          !(
            rest[index - 1]?.text.startsWith('-') &&
            !rest[index - 1]?.text.includes('=') &&
            isValueFlag(rest[index - 1]?.text ?? '')
          ),
      );
      const chart = sub === 'lint' ? positional[0] : positional[1];
      if (
        chart !== undefined &&
        (chart.text.startsWith('.') || chart.text.includes('/')) &&
        !chart.text.includes('://')
      ) {
        this.requireWord(chart.text, cwd, state, guards, where, 'chart');
      }
    }
  }

  private checkFamilyBackends(family: Family): void {
    for (const [root, where] of family.backendRoots) {
      const key = rootStateKey(root);
      if (key === '') this.problem(where, `${this.rel(root)}'s backend "s3" block fixes no key`);
      for (const environment of family.environments) {
        const file = join(this.repoRoot, 'terraform', backendSettingsPath(environment));
        if (!this.tracked.has(file)) {
          this.problem(
            where,
            `the workflow names environment '${environment}' but there are no backend settings for it: add terraform/${backendSettingsPath(environment)} (used by ${this.rel(root)})`,
          );
        }
      }
    }
  }

  private abs(path: string, cwd: string): string {
    if (path.startsWith('~/') || path === '~') return path;
    return isAbsolute(path) ? resolve(path) : resolve(cwd, path);
  }

  private isPresent(path: string, state: JobState, guards: readonly Guard[]): boolean {
    for (const produced of state.produced) {
      // The file itself, a file in a produced folder, or a folder holding a produced file.
      if (path === produced || path.startsWith(`${produced}/`) || produced.startsWith(`${path}/`)) {
        return true;
      }
    }
    for (const folder of state.folders) {
      if (path === folder || folder.startsWith(`${path}/`)) return true;
    }
    if (guards.some((g) => g.present && this.abs(g.path, this.repoRoot) === path)) return true;
    return state.checkedOut && this.tracked.has(path);
  }

  private requireWord(
    text: string,
    cwd: string,
    state: JobState,
    guards: readonly Guard[],
    where: Where,
    what: string,
  ): boolean {
    if (text.includes(UNKNOWN)) return true; // cannot be known statically; nothing to claim
    return this.requirePath(this.abs(text, cwd), state, guards, where, what);
  }

  private requirePath(
    path: string,
    state: JobState,
    guards: readonly Guard[],
    where: Where,
    what: string,
  ): boolean {
    if (this.isPresent(path, state, guards)) return true;
    const inRepo = this.tracked.has(path);
    this.problem(
      where,
      inRepo
        ? `${what}: reads ${this.rel(path)} before actions/checkout`
        : `${what}: reads ${this.rel(path)}, which is not in the repository and no earlier step writes it`,
    );
    return false;
  }

  subst(text: string, instance: Instance, env: Record<string, string | undefined>): string {
    return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
      const value = evalExpression(expr, instance, env, this.repoRoot);
      return value === undefined ? UNKNOWN : value;
    });
  }

  private evalEnv(
    block: Json | undefined,
    instance: Instance,
    outer: Record<string, string | undefined>,
  ): Record<string, string | undefined> {
    const env: Record<string, string | undefined> = { ...outer };
    if (!isObj(block)) return env;
    for (const [name, value] of Object.entries(block)) {
      const text = this.subst(String(value), instance, env);
      env[name] = text.includes(UNKNOWN) ? undefined : text;
    }
    return env;
  }
}

function isValueFlag(flag: string): boolean {
  return [
    '--namespace',
    '-n',
    '--values',
    '-f',
    '--set',
    '--set-string',
    '--timeout',
    '--version',
    '--kube-version',
  ].includes(flag);
}

function withoutPath(set: ReadonlySet<string>, path: string): Set<string> {
  const copy = new Set(set);
  copy.delete(path);
  return copy;
}

function printable(text: string): string {
  return text.replaceAll(UNKNOWN, '…');
}

function evalExpression(
  expr: string,
  instance: Instance,
  env: Record<string, string | undefined>,
  repoRoot: string,
): string | undefined {
  let m = /^inputs\.([\w-]+)$/.exec(expr);
  if (m !== null) return instance.inputs[m[1] as string];
  m = /^matrix\.([\w-]+)$/.exec(expr);
  if (m !== null) return instance.matrix[m[1] as string];
  m = /^env\.(\w+)$/.exec(expr);
  if (m !== null) return env[m[1] as string];
  if (expr === 'github.workspace') return repoRoot;
  m = /^'([^']*)'$/.exec(expr);
  if (m !== null) return m[1];
  return undefined;
}

function inputDefaults(doc: Obj): Record<string, string | undefined> {
  const on = isObj(doc.on) ? doc.on : {};
  const call = isObj(on.workflow_call) ? on.workflow_call : {};
  const inputs = isObj(call.inputs) ? call.inputs : {};
  const defaults: Record<string, string | undefined> = {};
  for (const [name, spec] of Object.entries(inputs)) {
    const value = isObj(spec) ? spec.default : undefined;
    defaults[name] = value === undefined || value === null ? undefined : String(value);
  }
  return defaults;
}

function matrixInstances(job: Obj, parent: Instance, subst: (value: string) => string): Instance[] {
  const matrix =
    isObj(job.strategy) && isObj(job.strategy.matrix) ? job.strategy.matrix : undefined;
  if (matrix === undefined) return [parent];
  let combos: Record<string, string | undefined>[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    if (key === 'include' || key === 'exclude' || !Array.isArray(values)) continue;
    combos = combos.flatMap((combo) => values.map((v) => ({ ...combo, [key]: value(String(v)) })));
  }
  function value(text: string): string | undefined {
    const v = subst(text);
    return v.includes(UNKNOWN) ? undefined : v;
  }
  const base = combos.length === 1 && Object.keys(combos[0] ?? {}).length === 0 ? [] : combos;
  const includes = Array.isArray(matrix.include) ? matrix.include.filter(isObj) : [];
  const all = [
    ...base,
    ...includes.map((entry) =>
      Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, value(String(v))])),
    ),
  ];
  if (all.length === 0) return [parent];
  return all.map((combo) => ({
    inputs: parent.inputs,
    matrix: combo,
    label: `${parent.label} [${Object.entries(combo)
      .map(([k, v]) => `${k}=${v ?? '?'}`)
      .join(', ')}]`,
  }));
}

function readScripts(packageDir: string): Record<string, string> {
  const file = join(packageDir, 'package.json');
  if (!existsSync(file)) return {};
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { scripts?: Record<string, string> };
  return doc.scripts ?? {};
}

/** Variables of a root module without a default: the ones a plan must be given. */
export function requiredVariables(root: string): string[] {
  if (!existsSync(root)) return [];
  const required: string[] = [];
  for (const file of readdirSync(root).filter((f) => f.endsWith('.tf'))) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const chunk of text.split(/^(?=variable\s+")/m)) {
      const name = /^variable\s+"([^"]+)"/.exec(chunk)?.[1];
      if (name !== undefined && !/^\s*default\s*=/m.test(chunk)) required.push(name);
    }
  }
  return required;
}

/** The variable names a .tfvars or .tfvars.json file sets. */
function tfvarsNames(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    try {
      return Object.keys(JSON.parse(text) as object);
    } catch {
      return [];
    }
  }
  return [...text.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/gm)].map((m) => m[1] as string);
}

/** Files tracked by git in the checkout, and every folder above them. */
function trackedPaths(repoRoot: string): Set<string> {
  const paths = new Set<string>([repoRoot]);
  let files: string[];
  try {
    files = execFileSync('git', ['ls-files', '-z'], {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    })
      .split('\0')
      .filter((f) => f !== '');
  } catch {
    throw new DeliveryError(
      'WORKFLOW_UNREADABLE',
      `${repoRoot} is not a git checkout: the check needs its tracked files`,
    );
  }
  for (const file of files) {
    let path = join(repoRoot, file);
    paths.add(path);
    for (path = dirname(path); path !== repoRoot && !paths.has(path); path = dirname(path)) {
      paths.add(path);
    }
  }
  return paths;
}

const execFileAsync = promisify(execFile);

/** `stackproof <args>` with the checkout's own CLI, as the workflows run it through pnpm. */
export function realCli(repoRoot: string): (args: readonly string[]) => Promise<HelpAnswer> {
  return async (args) => {
    try {
      const { stdout } = await execFileAsync(
        process.execPath,
        [join(repoRoot, 'packages', 'cli', 'src', 'bin.ts'), ...args],
        { cwd: repoRoot, timeout: 60_000 },
      );
      return { exitCode: 0, stdout };
    } catch (error) {
      const e = error as { code?: number; stdout?: string };
      return { exitCode: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '' };
    }
  };
}

/**
 * Reads every workflow and checks that each command it runs exists: every `pnpm <script>` is a
 * script of the package it runs in, every `stackproof …` subcommand answers `--help` (and knows
 * the flags passed to it), every path it reads is in the repository or written by an earlier
 * step, every `make` target exists, and every Terraform root it initialises gets backend
 * settings, for each environment the workflow names. Returns the problems, empty when there are
 * none.
 */
export async function checkWorkflows(
  options: CheckWorkflowsOptions = {},
): Promise<WorkflowProblem[]> {
  const repoRoot = resolve(options.repoRoot ?? REPO_ROOT);
  const workflowsDir = options.workflowsDir ?? join(repoRoot, '.github', 'workflows');
  const checker = new Checker(repoRoot, workflowsDir);
  checker.checkAll();
  const runCli = options.runCli ?? realCli(repoRoot);
  const answers = new Map<string, Promise<HelpAnswer>>();
  for (const pending of checker.pendingHelp) {
    const key = pending.words.join(' ');
    if (!answers.has(key)) answers.set(key, runCli([...pending.words, '--help']));
  }
  const problems = [...checker.problems];
  for (const pending of checker.pendingHelp) {
    const command = `stackproof ${pending.words.join(' ')}`.trim();
    const answer = await (answers.get(pending.words.join(' ')) as Promise<HelpAnswer>);
    if (answer.exitCode !== 0) {
      problems.push({
        ...pending.where,
        message: `${command} --help exits ${answer.exitCode}: no such subcommand`,
      });
      continue;
    }
    for (const flag of pending.flags) {
      if (
        !new RegExp(`(^|[\\s,\\[])${flag.replace(/[-]/g, '\\-')}(?![\\w-])`, 'm').test(
          answer.stdout,
        )
      ) {
        problems.push({ ...pending.where, message: `${command}: --help lists no option ${flag}` });
      }
    }
  }
  // One line per distinct problem: a matrix repeats the same one per instance otherwise.
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.workflow}\0${p.job}\0${p.step}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `infrastructure.yml › plan [workspace=rds] › terraform init: …` */
export function describeWorkflowProblem(problem: WorkflowProblem): string {
  return `${problem.workflow} › ${problem.job} › ${problem.step}: ${problem.message}`;
}
