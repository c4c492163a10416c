import { writeFileAtomically } from '@stackproof/core';

/**
 * Writes a report file completely or not at all (core's atomic write), so a run interrupted while
 * writing never leaves a truncated `junit.xml` that CI would read as valid.
 */
export const writeReportFile: (file: string, content: string | Uint8Array) => Promise<void> =
  writeFileAtomically;
