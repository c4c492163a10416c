import { StackproofError } from './errors.ts';
import { PROPERTY_CATALOGUE } from './properties.generated.ts';
import type { Severity } from './verdicts.ts';

/** How the policy gate reads a property on the plan, and the rule that does (absent: why not). */
export interface PlanProof {
  /** What the gate reads in `terraform show -json` or the rendered manifests. */
  readonly evidence: string;
  /** The Rego rule (file and line of its METADATA) when one exists. */
  readonly rule?: { readonly file: string; readonly line: number };
  /** Why no plan rule exists, when none does. */
  readonly why?: string;
}

/** How the live suite reads a property after apply, and whether it does today. */
export interface LiveProof {
  /** The API answer the live check reads (`DescribeDBInstances.MultiAZ`). */
  readonly evidence: string;
  readonly checked: boolean;
  /** Why the property is not checked live, when it is not. */
  readonly why?: string;
}

/** The experiments that exercise a property under failure or load, and whether they do today. */
export interface ChaosProof {
  /** Experiment names (`az-outage`, `node-loss`, `rds-failover`, `pod-kill`, `load`). */
  readonly experiments: readonly string[];
  readonly note: string;
  readonly exercised: boolean;
  readonly why?: string;
}

/** One property stackproof proves, under one id, with its three proofs. */
export interface PropertyInfo {
  /** `<family>.<name>`, e.g. `rds.multi-az`. */
  readonly id: string;
  readonly family: string;
  readonly title: string;
  readonly severity: Severity;
  readonly description: string;
  readonly remediation?: string;
  readonly references: readonly string[];
  /** Group heading in docs/properties.md. */
  readonly section: string;
  /** The workspace (and module) of the reference stack that establishes it. */
  readonly where: string;
  /** The property in a few words, as the reference stack holds it. */
  readonly claim: string;
  readonly plan: PlanProof;
  readonly live: LiveProof;
  readonly chaos?: ChaosProof;
}

export type Proof = 'plan' | 'live' | 'chaos';

/** A property id that is not in the catalogue (a typo in a flag, a file or a check). */
export class UnknownPropertyError extends StackproofError {
  constructor(id: string) {
    const near = PROPERTY_IDS.filter((known) => known.split('.')[0] === id.split('.')[0]);
    const hint = near.length > 0 ? `; ids of that family: ${near.join(', ')}` : '';
    super(
      'UNKNOWN_PROPERTY',
      'bad-input',
      `'${id}' is not a property id of the catalogue (docs/properties.md)${hint}`,
    );
  }
}

export const PROPERTIES: readonly PropertyInfo[] = PROPERTY_CATALOGUE;

export const PROPERTY_IDS: readonly string[] = PROPERTIES.map((p) => p.id);

const BY_ID: ReadonlyMap<string, PropertyInfo> = new Map(PROPERTIES.map((p) => [p.id, p]));

export function isPropertyId(id: string): boolean {
  return BY_ID.has(id);
}

/** The catalogue entry of `id`; throws `UnknownPropertyError` for an id that is not in it. */
export function getProperty(id: string): PropertyInfo {
  const found = BY_ID.get(id);
  if (found === undefined) throw new UnknownPropertyError(id);
  return found;
}

/** Whether the proof exists today for the property. */
export function hasProof(property: PropertyInfo, proof: Proof): boolean {
  switch (proof) {
    case 'plan':
      return property.plan.rule !== undefined;
    case 'live':
      return property.live.checked;
    case 'chaos':
      return property.chaos?.exercised === true;
  }
}
