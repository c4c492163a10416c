import { readFileSync } from 'node:fs';

/** The stackproof release: the CLI's package version, named in every report. */
export const STACKPROOF_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
