import { fileURLToPath } from 'node:url';

/** The k6 scripts this package ships (packages/load/scripts/<name>.ts), one per scenario. */
export type LoadScriptName = 'scale-out' | 'steady' | 'spike';

/** Absolute path of a shipped k6 script, for `runK6({ script })` or a plain `k6 run`. */
export function loadScript(name: LoadScriptName): string {
  return fileURLToPath(new URL(`../scripts/${name}.ts`, import.meta.url));
}
