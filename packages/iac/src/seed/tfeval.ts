import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveTool } from '@stackproof/toolchain';
import { IacError } from '../iac-error.ts';

const run = promisify(execFile);

/** One resource or data source instance as stackproof-tfeval evaluated it. */
export interface EvaluatedResource {
  /** `module.vpc.aws_subnet.public["me-central-1a"]` */
  readonly address: string;
  /** `module.vpc`, or '' for the root. */
  readonly module: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly index: string | number | null;
  /** Arguments and nested blocks (blocks as lists of objects); unknowns as «ref:address#path». */
  readonly values: Readonly<Record<string, unknown>>;
  /** Resources (without instance keys) or modules named by depends_on. */
  readonly dependsOn: readonly string[];
  readonly file: string;
  readonly line: number;
}

export interface EvaluatedOutput {
  readonly sensitive: boolean;
  readonly type: unknown;
  readonly value: unknown;
}

/** A root module, evaluated: what `tofu plan` would know before any provider call. */
export interface EvaluatedWorkspace {
  readonly root: string;
  readonly providers: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly variables: Readonly<
    Record<
      string,
      { readonly description: string; readonly value: unknown; readonly source: string }
    >
  >;
  readonly resources: readonly EvaluatedResource[];
  readonly outputs: Readonly<Record<string, EvaluatedOutput>>;
  readonly warnings: readonly string[];
}

export interface EvaluateOptions {
  readonly varFiles?: readonly string[];
  /** Root variables (they win over var files). */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** Overrides of the root's module call arguments: `{ postgres: { multi_az: false } }`. */
  readonly moduleArgs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * Reads a root module with the real HCL parser through stackproof-tfeval (tools/go/tfeval, built
 * by `make tools`) and returns its evaluation.
 */
export async function evaluateTerraformRoot(
  rootDir: string,
  options: EvaluateOptions = {},
): Promise<EvaluatedWorkspace> {
  const tool = resolveTool('stackproof-tfeval');
  const args = ['-root', rootDir];
  for (const file of options.varFiles ?? []) args.push('-var-file', file);
  if (options.vars !== undefined) args.push('-vars', JSON.stringify(options.vars));
  if (options.moduleArgs !== undefined)
    args.push('-module-args', JSON.stringify(options.moduleArgs));
  try {
    const { stdout } = await run(tool.path, args, { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as EvaluatedWorkspace;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new IacError(
      'TFEVAL_FAILED',
      `stackproof-tfeval could not read ${rootDir}: ${stderr || (error as Error).message}`,
    );
  }
}
