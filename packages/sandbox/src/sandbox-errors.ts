/** A component (etcd, kube-apiserver, kwok, ...) did not start or did not become ready in time. */
export class ComponentStartError extends Error {
  readonly code = 'COMPONENT_START_FAILED';
  readonly component: string;
  readonly logFile: string | undefined;

  constructor(component: string, reason: string, logFile?: string, logTail?: string) {
    const where = logFile === undefined ? '' : ` (log: ${logFile})`;
    const tail =
      logTail === undefined || logTail === '' ? '' : `\nLast lines of its log:\n${logTail}`;
    super(`${component} failed to start: ${reason}${where}${tail}`);
    this.name = 'ComponentStartError';
    this.component = component;
    this.logFile = logFile;
  }
}

/** A supervised process survived SIGTERM and SIGKILL, or its pid is still present in /proc. */
export class ComponentStopError extends Error {
  readonly code = 'COMPONENT_STOP_FAILED';
  readonly component: string;
  readonly pid: number;

  constructor(component: string, pid: number, reason: string) {
    super(
      `${component} (pid ${pid}) could not be stopped: ${reason}. ` +
        `Stop it by hand with 'kill -9 ${pid}' and report the log.`,
    );
    this.name = 'ComponentStopError';
    this.component = component;
    this.pid = pid;
  }
}

/** Generating the control plane's keys and certificates with the openssl CLI failed. */
export class PkiError extends Error {
  readonly code = 'PKI_FAILED';

  constructor(step: string, detail: string) {
    super(
      `could not create the sandbox PKI (${step}): ${detail}. ` +
        `The sandbox needs the openssl CLI: 'apt-get install openssl' (or run 'make tools').`,
    );
    this.name = 'PkiError';
  }
}

/** A bounded poll ran out of time before its condition held. */
export class WaitTimeoutError extends Error {
  readonly code = 'WAIT_TIMEOUT';
  readonly lastError: unknown;

  constructor(what: string, timeoutMs: number, lastError?: unknown) {
    const last =
      lastError === undefined
        ? ''
        : ` (last attempt: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
    super(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    this.name = 'WaitTimeoutError';
    this.lastError = lastError;
  }
}
