export { writeFileAtomically } from './atomic-file.ts';
export {
  ERROR_KINDS,
  type ErrorKind,
  isStackproofError,
  StackproofError,
  type StackproofErrorOptions,
  ToolMissingError,
  WaitTimeoutError,
} from './errors.ts';
export {
  type Bound,
  describeMeasure,
  type EvidenceEvent,
  type EvidenceInput,
  evidence,
  evidenceProblems,
  findingFromEvidence,
  type JsonValue,
  type Measure,
  measuredEvidence,
  PHASES,
  type Phase,
  withinBound,
} from './evidence.ts';
export {
  EXPECTATIONS_SECTIONS,
  type Expectations,
  ExpectationsError,
  type ExpectationsSection,
  type ParseResult,
  parseExpectations,
  readExpectationsFile,
} from './expectations.ts';
export { appendJsonLine, type JsonLines, JsonLinesCorruptError, readJsonLines } from './jsonl.ts';
export {
  isLoopbackPortFree,
  LOOPBACK_HOST,
  listenOnLoopback,
  reserveLoopbackPort,
  reserveLoopbackPorts,
} from './loopback-ports.ts';
export { replaceMarkedSection, updateMarkedSection } from './marked-section.ts';
export { type PollOptions, pollUntil } from './poll.ts';
export {
  type ChaosProof,
  getProperty,
  hasProof,
  isPropertyId,
  type LiveProof,
  type PlanProof,
  PROPERTIES,
  PROPERTY_IDS,
  type Proof,
  type PropertyInfo,
  UnknownPropertyError,
} from './properties.ts';
export { DEFAULT_REGION, DEFAULT_ZONES } from './reference-stack.ts';
export { REPO_ROOT, repoPath } from './repo-paths.ts';
export { isPlainObject, type SectionReader, sectionReader } from './section-reader.ts';
export {
  outputsFileName,
  type TerraformOutput,
  type TerraformOutputsDocument,
  terraformOutputsProblems,
} from './terraform-outputs.ts';
export {
  type BaseFinding,
  combineVerdicts,
  compareVerdicts,
  isSeverity,
  isVerdict,
  SEVERITIES,
  type Severity,
  severityRank,
  VERDICTS,
  type Verdict,
} from './verdicts.ts';
