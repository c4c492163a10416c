import { type Severity, severityRank } from '@stackproof/core';
import { PolicyBundleError } from './errors.ts';
import { compareFindings, type Finding, type PolicyReport, summarize } from './findings.ts';
import { planShards } from './plan-shards.ts';
import {
  type BundleContract,
  PolicyBundle,
  type PolicyResult,
  type RuleMetadata,
} from './policy-bundle.ts';
import { loadPolicyInputs, type PolicyInput } from './policy-inputs.ts';
import {
  defaultSourceDir,
  displayPath,
  type SourceLocation,
  SourceLocator,
} from './source-locations.ts';
import { readWaivers, type Waiver, waiverMatcher } from './waivers.ts';

export interface PolicyCheckOptions {
  /** A plan JSON file, a manifest YAML file, or a directory of either. */
  readonly target: string;
  /** The stackproof version the report names (the CLI's). */
  readonly version: string;
  readonly waiversFile?: string;
  /** Lowest severity whose failures fail the run (default high). */
  readonly failOn?: Severity;
  /** Also fail on `unknown` results at or above the threshold (default false: the live suite settles them). */
  readonly failOnUnknown?: boolean;
  /** Root module directory used to find .tf declarations (default: the plan's folder, else cwd). */
  readonly sourceDir?: string;
  /** Policy parameters passed as input.params (az_count, min_backup_retention_days, min_replicas…). */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly bundle?: PolicyBundle;
  /** Upper bound of one shard's own resources, in bytes of JSON (see plan-shards.ts). */
  readonly maxShardBytes?: number;
  /** Called once per wasm evaluation, for progress on large plans. */
  readonly onEvaluation?: (progress: EvaluationProgress) => void;
  readonly now?: Date;
  readonly cwd?: string;
}

export interface EvaluationProgress {
  readonly input: string;
  /** 1-based number of this evaluation among the input's. */
  readonly evaluation: number;
  readonly evaluations: number;
  readonly resources: number;
}

/** One evaluation's worth of input: the document and the addresses whose verdicts it gives. */
interface Evaluation {
  readonly document: Readonly<Record<string, unknown>>;
  readonly own?: ReadonlySet<string>;
  readonly resources: number;
  readonly bytes: number;
}

function evaluations(
  input: PolicyInput,
  contract: BundleContract,
  options: PolicyCheckOptions,
): Evaluation[] {
  const params = options.params ?? {};
  if (input.kind === 'kubernetes') {
    const document = { kind: input.kind, params, objects: input.objects };
    return [{ document, resources: input.objects.length, bytes: JSON.stringify(document).length }];
  }
  return planShards(input.plan, contract.planReads, {
    params,
    ...(options.maxShardBytes !== undefined ? { maxShardBytes: options.maxShardBytes } : {}),
  });
}

/** A verdict may raise its rule's severity (a cluster that can lose every node), never lower it. */
function severityOf(rule: RuleMetadata, result: PolicyResult): Severity {
  return result.severity !== undefined &&
    severityRank(result.severity) > severityRank(rule.severity)
    ? result.severity
    : rule.severity;
}

/**
 * Loads the target (cut down to what the bundle's rules read), evaluates the bundle on it in
 * bounded evaluations, applies waivers and summarizes.
 */
export async function runPolicyCheck(options: PolicyCheckOptions): Promise<PolicyReport> {
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? new Date();
  const failOn = options.failOn ?? 'high';
  const failOnUnknown = options.failOnUnknown ?? false;
  // Waivers first: a broken waiver file is bad input, found before any work is done.
  const waivers: Waiver[] = options.waiversFile ? await readWaivers(options.waiversFile) : [];
  const bundle = options.bundle ?? (await PolicyBundle.load());
  const contract = await bundle.contract();
  const { inputs, skipped, notes } = await loadPolicyInputs(options.target, {
    planReads: contract.planReads,
    manifestKinds: contract.manifestKinds,
  });
  const matcher = waiverMatcher(waivers, now);
  const rulesById = new Map(contract.rules.map((rule) => [rule.id, rule]));

  const findings: Finding[] = [];
  const inputNames: string[] = [];
  // The same message comes back for thousands of resources (a pass is its rule's title): one
  // string each, not one per finding, on a plan of hundreds of thousands of findings.
  const strings = new Map<string, string>();
  const interned = (text: string): string => {
    const known = strings.get(text);
    if (known !== undefined) return known;
    strings.set(text, text);
    return text;
  };
  // Every rule judges the same resources: one source lookup per address, not one per finding.
  const locations = new Map<string, SourceLocation | undefined>();
  const locatedAt = (locator: SourceLocator, address: string): SourceLocation | undefined => {
    if (locations.has(address)) return locations.get(address);
    const found = locator.locate(address);
    const location =
      found !== undefined ? { file: displayPath(found.file, cwd), line: found.line } : undefined;
    locations.set(address, location);
    return location;
  };
  try {
    for (const input of inputs) {
      locations.clear();
      const inputName =
        input.kind === 'terraform-plan'
          ? displayPath(input.file, cwd)
          : input.files.map((f) => displayPath(f, cwd)).join(', ');
      inputNames.push(inputName);
      const source = input.kind === 'terraform-plan' ? input.file : (input.files[0] ?? '');
      const locator =
        input.kind === 'terraform-plan'
          ? new SourceLocator(
              options.sourceDir ?? defaultSourceDir(input.file, cwd),
              input.plan.configuration,
            )
          : undefined;
      const planned = evaluations(input, contract, options);
      // One wasm memory for every evaluation of the input, sized for the largest.
      bundle.reserve(Math.max(0, ...planned.map((e) => e.bytes)));
      for (const [index, evaluation] of planned.entries()) {
        options.onEvaluation?.({
          input: inputName,
          evaluation: index + 1,
          evaluations: planned.length,
          resources: evaluation.resources,
        });
        const { results } = await bundle.evaluate(evaluation.document, { source });
        for (const result of results) {
          if (evaluation.own !== undefined && !evaluation.own.has(result.address)) continue;
          const rule = rulesById.get(result.rule);
          if (rule === undefined) {
            throw new PolicyBundleError(
              `result for rule ${result.rule} has no entry in the bundle's rules`,
            );
          }
          const location =
            locator !== undefined
              ? locatedAt(locator, result.address)
              : result.file !== undefined
                ? { file: displayPath(result.file, cwd), line: result.line ?? 1 }
                : undefined;
          const waiver =
            result.status === 'pass' ? undefined : matcher.match(result.rule, result.address);
          findings.push({
            rule: result.rule,
            title: rule.title,
            severity: severityOf(rule, result),
            status: waiver !== undefined ? 'waived' : result.status,
            address: result.address,
            resourceType: interned(result.resource_type),
            message: interned(result.message),
            remediation: rule.remediation,
            ...(location !== undefined ? { file: location.file, line: location.line } : {}),
            input: inputName,
            ...(result.status === 'unknown' ? { liveCheck: result.live_check ?? result.rule } : {}),
            ...(waiver !== undefined && result.status !== 'pass'
              ? { waiver, waivedStatus: result.status }
              : {}),
          });
        }
      }
    }
  } finally {
    // The wasm memory (hundreds of MB for a large plan) is not needed for the report.
    bundle.release();
  }
  findings.sort(compareFindings);
  const rules = [...contract.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    version: options.version,
    findings,
    rules,
    summary: summarize(findings, {
      failOn,
      failOnUnknown,
      expiredWaivers: matcher.expired(),
      unmatchedWaivers: matcher.unmatched(),
      skippedFiles: skipped.map((s) => ({ file: displayPath(s.file, cwd), reason: s.reason })),
      notes,
      inputs: inputNames,
    }),
  };
}
