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
