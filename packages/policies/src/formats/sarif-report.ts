import type { Severity } from '@stackproof/core';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Finding, PolicyReport } from '../findings.ts';

// GitHub code scanning ranks security results by this property (0.1–10).
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};
const LEVEL: Readonly<Record<Severity, Result.level>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

function result(finding: Finding, ruleIndex: number): Result {
  // GitHub requires a location; a resource whose .tf file was not found points at its input file.
  const uri = finding.file ?? finding.input.split(', ')[0] ?? finding.input;
  const base: Result = {
    ruleId: finding.rule,
    ruleIndex,
    level: finding.status === 'unknown' ? 'note' : LEVEL[finding.severity],
    message: {
      text:
        `${finding.address}: ${finding.message}` +
        (finding.status === 'unknown'
          ? ` (unknown until apply; settled by live check ${finding.liveCheck})`
          : ''),
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
          region: { startLine: finding.line ?? 1 },
        },
        logicalLocations: [{ fullyQualifiedName: finding.address, kind: 'resource' }],
      },
    ],
    partialFingerprints: { 'stackproof/v1': `${finding.rule}|${finding.address}` },
    properties: { status: finding.status, resourceType: finding.resourceType },
  };
  if (finding.status === 'waived' && finding.waiver !== undefined) {
    base.suppressions = [
      {
        kind: 'external',
        status: 'accepted',
        justification: `${finding.waiver.reason} (owner ${finding.waiver.owner}, expires ${finding.waiver.expires})`,
      },
    ];
  }
  return base;
}

/** SARIF 2.1.0 for GitHub code scanning: failures, unknowns (as notes) and waived (suppressed). */
export function buildSarif(report: PolicyReport): Log {
  const rules: ReportingDescriptor[] = report.rules.map((rule) => ({
    id: rule.id,
    name: rule.id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) =>
      (c ?? '').toUpperCase(),
    ),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale || rule.title },
    help: {
      text: `${rule.remediation}${rule.references.length > 0 ? `\nReferences: ${rule.references.join('; ')}` : ''}`,
    },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      'security-severity': SECURITY_SEVERITY[rule.severity],
      tags: ['security', 'iac', rule.family, rule.target].filter((t) => t !== ''),
      precision: 'high',
    },
  }));
  const index = new Map(report.rules.map((rule, i) => [rule.id, i]));
  const results = report.findings
    .filter((f) => f.status !== 'pass')
    .map((f) => result(f, index.get(f.rule) ?? -1));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'stackproof',
            version: report.version,
            rules,
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': {
            description: { text: 'The repository root (working directory of the check)' },
          },
        },
        results,
      },
    ],
  };
}

export function formatSarif(report: PolicyReport): string {
  return `${JSON.stringify(buildSarif(report), null, 2)}\n`;
}
