import { readFile } from 'node:fs/promises';
import { combineVerdicts, StackproofError, type Verdict } from '@stackproof/core';
import type { LiveFinding } from './live-report.ts';

export class GateReportError extends StackproofError {
  constructor(message: string) {
    super('GATE_REPORT_INVALID', 'bad-input', message);
  }
}

/** A finding of the policy gate's JSON report (`stackproof policy check --format json`). */
export interface GateFinding {
  readonly rule: string;
  readonly status: string;
  readonly address: string;
  readonly resourceType?: string;
  readonly message: string;
}

/** A gate unknown and the live verdict that settles it. */
export interface SettledUnknown {
  readonly rule: string;
  /** The plan's resource address the gate could not judge. */
  readonly address: string;
  readonly gateMessage: string;
  /** The live verdict for the same property (and subject, where the gate's address is one). */
  readonly live: Verdict | 'not checked';
  /** The live findings it rests on. */
  readonly evidence: readonly {
    readonly address: string;
    readonly status: Verdict;
    readonly message: string;
  }[];
}

/** Reads the gate's unknowns from its JSON report. */
export async function readGateUnknowns(file: string): Promise<GateFinding[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new GateReportError(
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code}); pass the JSON report of 'stackproof policy check --format json'`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new GateReportError(
      `${file} is not JSON; pass the report of 'stackproof policy check --format json'`,
    );
  }
  const findings = (doc as { findings?: unknown }).findings;
  if (!Array.isArray(findings)) {
    throw new GateReportError(
      `${file} has no findings[]; pass the report of 'stackproof policy check --format json'`,
    );
  }
  return findings.filter(
    (f): f is GateFinding =>
      typeof f === 'object' &&
      f !== null &&
      (f as GateFinding).status === 'unknown' &&
      typeof (f as GateFinding).rule === 'string',
  );
}

/**
 * For each unknown of the gate, the live verdict of the same property: the live findings whose
 * subject is the gate's address when there are such, else all live findings of the property (a
 * plan address such as module.vpc.aws_subnet.public["me-central-1a"] names a resource the live
 * suite knows by its AWS id).
 */
export function settleUnknowns(
  unknowns: readonly GateFinding[],
  findings: readonly LiveFinding[],
): SettledUnknown[] {
  return unknowns.map((unknown) => {
    const same = findings.filter((f) => f.rule === unknown.rule);
    const exact = same.filter((f) => f.address === unknown.address);
    const basis = exact.length > 0 ? exact : same;
    return {
      rule: unknown.rule,
      address: unknown.address,
      gateMessage: unknown.message,
      live: combineVerdicts(basis.map((f) => f.status)) ?? 'not checked',
      evidence: basis.map((f) => ({ address: f.address, status: f.status, message: f.message })),
    };
  });
}
