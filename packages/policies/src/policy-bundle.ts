import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type LoadedPolicy, loadPolicy } from '@open-policy-agent/opa-wasm';
import { isSeverity, type Severity } from '@stackproof/core';
import { PolicyBundleError, PolicyInputError } from './errors.ts';
import { type PlanReads, parsePlanReads } from './plan-reads.ts';

export type ResultStatus = 'pass' | 'fail' | 'unknown';

/** One rule as the bundle describes it (from its METADATA annotation). */
export interface RuleMetadata {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly family: string;
  readonly target: string;
  readonly rationale: string;
  readonly remediation: string;
  readonly references: readonly string[];
}

/** One (rule, resource) verdict from `stackproof/main`. */
export interface PolicyResult {
  readonly rule: string;
  readonly status: ResultStatus;
  readonly address: string;
  readonly resource_type: string;
  readonly message: string;
  readonly live_check?: string;
  readonly file?: string;
  readonly line?: number;
  /** A severity above the rule's for this verdict (a cluster that can lose every node). */
  readonly severity?: Severity;
}

export interface PolicyEvaluation {
  readonly results: readonly PolicyResult[];
  readonly rules: readonly RuleMetadata[];
}

/** What the bundle says about itself before any input is read (see plan-reads.ts). */
export interface BundleContract {
  readonly rules: readonly RuleMetadata[];
  readonly planReads: PlanReads;
  /** Kubernetes kinds some rule reads; objects of other kinds are not passed to the policy. */
  readonly manifestKinds: ReadonlySet<string>;
}

export interface EvaluateOptions {
  /** The file the input came from, for the messages of inputs the policy cannot read. */
  readonly source?: string;
}

export const ENTRYPOINT = 'stackproof/main';

/** The compiled bundle shipped in this package (built by scripts/build-wasm.sh). */
export const DEFAULT_BUNDLE_WASM = fileURLToPath(new URL('../bundle/policy.wasm', import.meta.url));

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkRule(value: unknown, index: number): RuleMetadata {
  const problem = (what: string): never => {
    throw new PolicyBundleError(
      `bundle rules[${index}] ${what}: the policy bundle breaks the contract`,
    );
  };
  if (!isObject(value)) return problem('is not an object');
  for (const field of ['id', 'title', 'severity', 'remediation'] as const) {
    if (typeof value[field] !== 'string') problem(`has no string "${field}"`);
  }
  if (!isSeverity(value.severity)) {
    problem(`has severity ${JSON.stringify(value.severity)}`);
  }
  return {
    id: value.id as string,
    title: value.title as string,
    severity: value.severity as Severity,
    family: typeof value.family === 'string' ? value.family : '',
    target: typeof value.target === 'string' ? value.target : '',
    rationale: typeof value.rationale === 'string' ? value.rationale : '',
    remediation: value.remediation as string,
    references: Array.isArray(value.references)
      ? value.references.filter((r): r is string => typeof r === 'string')
      : [],
  };
}

function checkResult(value: unknown, index: number): PolicyResult {
  const problem = (what: string): never => {
    throw new PolicyBundleError(
      `bundle results[${index}] ${what}: the policy bundle breaks the contract`,
    );
  };
  if (!isObject(value)) return problem('is not an object');
  for (const field of ['rule', 'address', 'message'] as const) {
    if (typeof value[field] !== 'string') problem(`has no string "${field}"`);
  }
  const status = value.status;
  if (status !== 'pass' && status !== 'fail' && status !== 'unknown') {
    problem(`has status ${JSON.stringify(status)}`);
  }
  if (value.severity !== undefined && !isSeverity(value.severity)) {
    problem(`has severity ${JSON.stringify(value.severity)}`);
  }
  return {
    rule: value.rule as string,
    status: status as ResultStatus,
    address: value.address as string,
    resource_type: typeof value.resource_type === 'string' ? value.resource_type : '',
    message: value.message as string,
    ...(typeof value.live_check === 'string' ? { live_check: value.live_check } : {}),
    ...(typeof value.file === 'string' ? { file: value.file } : {}),
    ...(typeof value.line === 'number' ? { line: value.line } : {}),
    ...(isSeverity(value.severity) ? { severity: value.severity } : {}),
  };
}

// A wasm page is 64 KiB. The policy parses its input into its own heap and never frees during one
// evaluation: measured 30 to 70 heap bytes per input byte with this bundle (subnet tiers are the
// hungriest). Growing memory step by step is what makes large inputs slow (a 2 MB shard: 4.8 s
// when memory had to grow, 0.4 s with enough from the start), so memory is sized up front from the
// input, generously: pages are reserved, not committed, so the reserve costs no RSS. The SDK reads
// heap addresses as signed 32-bit numbers, so the heap must stay below 2 GiB.
const WASM_PAGE_BYTES = 64 * 1024;
const MAX_SAFE_WASM_PAGES = 32767;
const HEAP_BYTES_PER_INPUT_BYTE = 128;

function initialPages(inputBytes: number): number {
  const wanted = Math.ceil((inputBytes * HEAP_BYTES_PER_INPUT_BYTE) / WASM_PAGE_BYTES) + 64;
  return Math.min(MAX_SAFE_WASM_PAGES, Math.max(128, wanted));
}

/** The rules' answer sits at the entrypoint, or under `main` when the entrypoint is a package. */
function mainDocument(resultSet: unknown): Record<string, unknown> | undefined {
  const first: unknown = Array.isArray(resultSet) ? resultSet[0] : undefined;
  const result = isObject(first) ? first.result : undefined;
  if (isObject(result) && Array.isArray(result.results)) return result;
  if (isObject(result) && isObject(result.main) && Array.isArray(result.main.results)) {
    return result.main;
  }
  return undefined;
}

// TypeScript declares the WebAssembly global only in lib.dom, which this Node package does not
// load; this is the one call used, typed here.
type CompiledWasm = { readonly __compiledWasm?: never };
const wasmCompile = (
  globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledWasm> } }
).WebAssembly.compile;

/** The compiled Rego policies: compiled once, instantiated for the largest input seen so far. */
export class PolicyBundle {
  readonly #module: CompiledWasm;
  readonly path: string;
  #instance: { policy: LoadedPolicy; pages: number } | undefined;
  #contract: BundleContract | undefined;
  #reservedPages = 0;

  private constructor(module: CompiledWasm, path: string) {
    this.#module = module;
    this.path = path;
  }

  /** Loads `path`, else $STACKPROOF_POLICY_BUNDLE (a custom build), else the bundled policy.wasm. */
  static async load(
    path: string = process.env.STACKPROOF_POLICY_BUNDLE || DEFAULT_BUNDLE_WASM,
  ): Promise<PolicyBundle> {
    let wasm: Buffer;
    try {
      wasm = await readFile(path);
    } catch {
      throw new PolicyBundleError(
        `policy bundle ${path} is missing; build it with packages/policies/scripts/build-wasm.sh`,
      );
    }
    let module: CompiledWasm;
    let policy: LoadedPolicy;
    try {
      module = await wasmCompile(wasm);
      policy = await loadPolicy(module);
    } catch (error) {
      throw new PolicyBundleError(
        `policy bundle ${path} is not a loadable OPA wasm module: ${String(error)}`,
      );
    }
    if (!Object.hasOwn(policy.entrypoints as object, ENTRYPOINT)) {
      throw new PolicyBundleError(`policy bundle ${path} has no entrypoint ${ENTRYPOINT}`);
    }
    return new PolicyBundle(module, path);
  }

  /**
   * Makes the next evaluations reuse one instance sized for inputs of up to `inputBytes`: several
   * shards of one plan then share one memory instead of one per size step.
   */
  reserve(inputBytes: number): void {
    const pages = initialPages(inputBytes);
    if (this.#instance === undefined || this.#instance.pages < pages) {
      this.#instance = undefined;
      this.#reservedPages = Math.max(this.#reservedPages, pages);
    }
  }

  /** Lets the wasm memory of the last evaluations go (the next evaluation makes a new one). */
  release(): void {
    this.#instance = undefined;
    this.#reservedPages = 0;
  }

  /** The rule catalog and what the rules read, from one evaluation on an empty input. */
  async contract(): Promise<BundleContract> {
    if (this.#contract !== undefined) return this.#contract;
    const document = await this.#evaluateDocument(
      JSON.stringify({ kind: 'contract', params: {} }),
      {},
    );
    if (!Array.isArray(document.rules) || !Array.isArray(document.manifest_kinds)) {
      throw new PolicyBundleError(
        `${ENTRYPOINT} returned no rules or manifest_kinds (the bundle is broken or stale)`,
      );
    }
    this.#contract = {
      rules: document.rules.map(checkRule),
      planReads: parsePlanReads(document.plan_reads),
      manifestKinds: new Set(document.manifest_kinds.filter((k) => typeof k === 'string')),
    };
    return this.#contract;
  }

  /** Evaluates `stackproof/main` on one input document (see the policy contract). */
  async evaluate(
    input: Readonly<Record<string, unknown>>,
    options: EvaluateOptions = {},
  ): Promise<PolicyEvaluation> {
    return this.evaluateJson(JSON.stringify(input), options);
  }

  /** `evaluate` on the JSON text of the input document. */
  async evaluateJson(json: string, options: EvaluateOptions = {}): Promise<PolicyEvaluation> {
    const result = await this.#evaluateDocument(json, options);
    if (!Array.isArray(result.results) || !Array.isArray(result.rules)) {
      throw new PolicyBundleError(
        `${ENTRYPOINT} returned no { results, rules } document (the bundle is broken or stale)`,
      );
    }
    return {
      results: result.results.map(checkResult),
      rules: result.rules.map(checkRule),
    };
  }

  /**
   * One evaluation. The instance is kept for the next input: the SDK writes each input at the
   * same heap address and the policy's heap starts over after it, so memory stays at what the
   * largest input needed. An input that needs more initial memory gets a new instance.
   */
  async #evaluateDocument(
    json: string,
    options: EvaluateOptions,
  ): Promise<Record<string, unknown>> {
    // Encoded once here; the SDK copies these bytes straight into wasm memory.
    const bytes = new TextEncoder().encode(json);
    const pages = Math.max(initialPages(bytes.byteLength), this.#reservedPages);
    let resultSet: unknown;
    try {
      if (this.#instance === undefined || this.#instance.pages < pages) {
        this.#instance = undefined;
        this.#instance = { policy: await loadPolicy(this.#module, { initial: pages }), pages };
      }
      resultSet = this.#instance.policy.evaluate(bytes.buffer, ENTRYPOINT);
    } catch (error) {
      // A trapped instance is not reused.
      this.#instance = undefined;
      const source = options.source ?? 'the input';
      if (error instanceof RangeError && /call stack/.test(error.message)) {
        throw new PolicyInputError(
          'NESTED_TOO_DEEP',
          source,
          'a value (a JSON document held in an attribute, such as a policy) nests too deeply ' +
            'for the policy to read; the file was damaged or not written by Terraform',
        );
      }
      if (error instanceof RangeError && /outside the bounds/.test(error.message)) {
        throw new PolicyInputError(
          'INPUT_TOO_LARGE',
          source,
          `the policy needed more than 2 GiB of wasm memory for one evaluation (${bytes.byteLength} ` +
            'bytes of input); split the plan (one root module per plan) and check the parts',
        );
      }
      throw new PolicyBundleError(`policy evaluation failed: ${String(error)}`);
    }
    const result = mainDocument(resultSet);
    if (result === undefined) {
      throw new PolicyBundleError(
        `${ENTRYPOINT} returned no { results, rules } document (the bundle is broken or stale)`,
      );
    }
    return result;
  }
}
