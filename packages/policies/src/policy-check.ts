import { readFileSync } from 'node:fs';
import { PolicyBundleError } from './errors.ts';
import { compareFindings, type Finding, type PolicyReport, summarize } from './findings.ts';
import { PolicyBundle, type RuleMetadata, type Severity } from './policy-bundle.ts';
import { loadPolicyInputs, type PolicyInput } from './policy-inputs.ts';
import { defaultSourceDir, displayPath, SourceLocator } from './source-locations.ts';
import { readWaivers, type Waiver, waiverMatcher } from './waivers.ts';

export interface PolicyCheckOptions {
  /** A plan JSON file, a manifest YAML file, or a directory of either. */
  readonly target: string;
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
  readonly now?: Date;
  readonly cwd?: string;
}

export const STACKPROOF_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

function inputDocument(input: PolicyInput, params: Readonly<Record<string, unknown>>) {
  if (input.kind === 'terraform-plan') return { kind: input.kind, params, plan: input.plan };
  return { kind: input.kind, params, objects: input.objects };
}

/** Loads the target, evaluates the bundle on each input, applies waivers and summarizes. */
export async function runPolicyCheck(options: PolicyCheckOptions): Promise<PolicyReport> {
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? new Date();
  const failOn = options.failOn ?? 'high';
  const failOnUnknown = options.failOnUnknown ?? false;
  // Waivers first: a broken waiver file is bad input, found before any work is done.
  const waivers: Waiver[] = options.waiversFile ? await readWaivers(options.waiversFile) : [];
  const { inputs, skipped } = await loadPolicyInputs(options.target);
  const bundle = options.bundle ?? (await PolicyBundle.load());
  const matcher = waiverMatcher(waivers, now);

  const findings: Finding[] = [];
  const rulesById = new Map<string, RuleMetadata>();
  const inputNames: string[] = [];
  for (const input of inputs) {
    const inputName =
      input.kind === 'terraform-plan'
        ? displayPath(input.file, cwd)
        : input.files.map((f) => displayPath(f, cwd)).join(', ');
    inputNames.push(inputName);
    const evaluation = await bundle.evaluate(inputDocument(input, options.params ?? {}));
    for (const rule of evaluation.rules) rulesById.set(rule.id, rule);
    const locator =
      input.kind === 'terraform-plan'
        ? new SourceLocator(
            options.sourceDir ?? defaultSourceDir(input.file, cwd),
            input.plan.configuration,
          )
        : undefined;
    for (const result of evaluation.results) {
      const rule = rulesById.get(result.rule);
      if (rule === undefined) {
        throw new PolicyBundleError(
          `result for rule ${result.rule} has no entry in the bundle's rules`,
        );
      }
      const location =
        locator !== undefined
          ? locator.locate(result.address)
          : result.file !== undefined
            ? { file: result.file, line: result.line ?? 1 }
            : undefined;
      const waiver =
        result.status === 'pass' ? undefined : matcher.match(result.rule, result.address);
      findings.push({
        rule: result.rule,
        title: rule.title,
        severity: rule.severity,
        status: waiver !== undefined ? 'waived' : result.status,
        address: result.address,
        resourceType: result.resource_type,
        message: result.message,
        remediation: rule.remediation,
        ...(location !== undefined
          ? { file: displayPath(location.file, cwd), line: location.line }
          : {}),
        input: inputName,
        ...(result.status === 'unknown' ? { liveCheck: result.live_check ?? result.rule } : {}),
        ...(waiver !== undefined && result.status !== 'pass'
          ? { waiver, waivedStatus: result.status }
          : {}),
      });
    }
  }
  findings.sort(compareFindings);
  const rules = [...rulesById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    version: STACKPROOF_VERSION,
    findings,
    rules,
    summary: summarize(findings, {
      failOn,
      failOnUnknown,
      expiredWaivers: matcher.expired(),
      unmatchedWaivers: matcher.unmatched(),
      skippedFiles: skipped.map((s) => ({ file: displayPath(s.file, cwd), reason: s.reason })),
      inputs: inputNames,
    }),
  };
}
