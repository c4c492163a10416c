import type { EvidenceEvent } from '@stackproof/core';

/**
 * How one test case ended. JUnit has no "unknown" or "waived": an unknown is reported as skipped
 * with its reason (never as a pass), a waived failure as a pass whose output names the waiver.
 */
export type JUnitStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface JUnitCase {
  readonly name: string;
  /** Groups cases in CI views; stackproof uses the property id (`k8s.hpa-scales-out`). */
  readonly classname: string;
  readonly status: JUnitStatus;
  /** Seconds the case took, when known. */
  readonly timeSeconds?: number;
  /** One line: why it failed, errored or was skipped. */
  readonly message?: string;
  /** The evidence in full (becomes the body of `<failure>` / `<error>`). */
  readonly detail?: string;
  /** What was seen even when it passed (`<system-out>`). */
  readonly output?: string;
}

export interface JUnitSuite {
  readonly name: string;
  readonly cases: readonly JUnitCase[];
  /** When the suite started (ISO 8601). */
  readonly timestamp?: string;
  readonly timeSeconds?: number;
  /** Run parameters shown by CI (`scenario`, `target`...). */
  readonly properties?: Readonly<Record<string, string>>;
}

// XML 1.0 allows only these characters; anything else (NUL, most C0 controls, lone surrogates)
// makes the whole report unreadable to CI parsers, so it is replaced rather than escaped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to remove
const NOT_XML_CHAR = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for an XML attribute or element: markup characters and characters XML forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function attrs(values: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(
      ([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? formatSeconds(v) : (v as string))}"`,
    )
    .join('');
}

function formatSeconds(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function caseXml(c: JUnitCase): string {
  const open = `    <testcase${attrs({ name: c.name, classname: c.classname, time: c.timeSeconds })}`;
  const body: string[] = [];
  if (c.status === 'failed' || c.status === 'error') {
    const tag = c.status === 'failed' ? 'failure' : 'error';
    body.push(
      `      <${tag}${attrs({ message: c.message ?? c.status, type: c.status })}>${escapeXml(c.detail ?? c.message ?? '')}</${tag}>`,
    );
  } else if (c.status === 'skipped') {
    body.push(`      <skipped${attrs({ message: c.message ?? 'skipped' })}/>`);
  }
  if (c.output !== undefined) body.push(`      <system-out>${escapeXml(c.output)}</system-out>`);
  return body.length === 0 ? `${open}/>` : `${open}>\n${body.join('\n')}\n    </testcase>`;
}

function count(cases: readonly JUnitCase[], status: JUnitStatus): number {
  return cases.filter((c) => c.status === status).length;
}

/** The JUnit XML document (the Ant/Surefire dialect GitHub, GitLab and Jenkins read). */
export function junitXml(suites: readonly JUnitSuite[]): string {
  const all = suites.flatMap((s) => s.cases);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ tests: all.length, failures: count(all, 'failed'), errors: count(all, 'error'), skipped: count(all, 'skipped') })}>`,
  ];
  for (const suite of suites) {
    lines.push(
      `  <testsuite${attrs({
        name: suite.name,
        tests: suite.cases.length,
        failures: count(suite.cases, 'failed'),
        errors: count(suite.cases, 'error'),
        skipped: count(suite.cases, 'skipped'),
        timestamp: suite.timestamp,
        time: suite.timeSeconds,
      })}>`,
    );
    const properties = Object.entries(suite.properties ?? {});
    if (properties.length > 0) {
      lines.push('    <properties>');
      for (const [name, value] of properties)
        lines.push(`      <property${attrs({ name, value })}/>`);
      lines.push('    </properties>');
    }
    for (const c of suite.cases) lines.push(caseXml(c));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

/**
 * One evidence event as a test case named after its check: the shape load, chaos and the game day
 * share, so a CI view lists every bound that held or broke under its property id.
 */
export function junitCaseFromEvidence(event: EvidenceEvent): JUnitCase {
  const name = event.check === undefined ? event.subject : `${event.check} (${event.subject})`;
  const base = { name, classname: event.property };
  switch (event.status) {
    case 'pass':
      return { ...base, status: 'passed', output: event.detail };
    case 'waived':
      return { ...base, status: 'passed', output: `waived: ${event.detail}` };
    case 'fail':
      return {
        ...base,
        status: 'failed',
        message:
          event.expected === undefined
            ? event.detail
            : `${event.detail}; expected ${event.expected}`,
        detail: JSON.stringify(event, null, 2),
      };
    case 'unknown':
      return { ...base, status: 'skipped', message: `unknown: ${event.detail}` };
    case 'skipped':
      return { ...base, status: 'skipped', message: event.detail };
  }
}
