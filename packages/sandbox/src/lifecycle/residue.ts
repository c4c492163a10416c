import { readdir, readFile } from 'node:fs/promises';

export interface ResidualProcess {
  readonly pid: number;
  readonly cmdline: string;
}

/** The variable the sandbox puts in the environment of every process it starts. */
export const SANDBOX_MARKER_ENV = 'STACKPROOF_SANDBOX_DIR';

/**
 * Every other process whose /proc entry `matches`; processes that exit while we look, or whose
 * files we may not read, are skipped. Linux only.
 */
async function scanProcesses(
  matches: (pid: string, cmdline: string) => Promise<boolean>,
): Promise<ResidualProcess[]> {
  const found: ResidualProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8'))
        .replaceAll('\0', ' ')
        .trim();
      if (await matches(entry, cmdline)) found.push({ pid, cmdline });
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  return found;
}

/**
 * Processes whose command line mentions `needle` (for example a control plane's work dir, which
 * every component's flags name). Used to prove that a stop left nothing behind.
 */
export function processesReferencing(needle: string): Promise<ResidualProcess[]> {
  return scanProcesses(async (_, cmdline) => cmdline.includes(needle));
}

/**
 * Processes whose environment carries SANDBOX_MARKER_ENV=`dir`: the sandbox's instances, which
 * name no sandbox path on their command line. Finds them even when the daemon that started them
 * was killed before it could stop them.
 */
export function processesMarkedWith(dir: string): Promise<ResidualProcess[]> {
  const marker = `${SANDBOX_MARKER_ENV}=${dir}`;
  return scanProcesses(async (pid) =>
    (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0').includes(marker),
  );
}
