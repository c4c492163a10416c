import { readdir, readFile } from 'node:fs/promises';

export interface ResidualProcess {
  readonly pid: number;
  readonly cmdline: string;
}

/**
 * Processes whose command line mentions `needle` (for example a control plane's work dir, which
 * every component's flags name). Used to prove that a stop left nothing behind; reads /proc, so
 * Linux only.
 */
export async function processesReferencing(needle: string): Promise<ResidualProcess[]> {
  const found: ResidualProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
    } catch {
      continue; // exited while we looked
    }
    if (cmdline.includes(needle)) found.push({ pid, cmdline });
  }
  return found;
}

/** The variable the sandbox puts in the environment of every process it starts. */
export const SANDBOX_MARKER_ENV = 'STACKPROOF_SANDBOX_DIR';

/**
 * Processes whose environment carries SANDBOX_MARKER_ENV=`dir`: the sandbox's instances, which
 * name no sandbox path on their command line. Finds them even when the daemon that started them
 * was killed before it could stop them.
 */
export async function processesMarkedWith(dir: string): Promise<ResidualProcess[]> {
  const marker = `${SANDBOX_MARKER_ENV}=${dir}`;
  const found: ResidualProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = (await readFile(`/proc/${entry}/environ`, 'utf8')).split('\0');
      if (!environ.includes(marker)) continue;
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      found.push({ pid, cmdline: cmdline.trim() });
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  return found;
}
