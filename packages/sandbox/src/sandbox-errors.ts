import { StackproofError } from '@stackproof/core';
/** A component (etcd, kube-apiserver, kwok, ...) did not start or did not become ready in time. */
export class ComponentStartError extends StackproofError {
  readonly component: string;
  readonly logFile: string | undefined;

  constructor(component: string, reason: string, logFile?: string, logTail?: string) {
    const where = logFile === undefined ? '' : ` (log: ${logFile})`;
    const tail =
      logTail === undefined || logTail === '' ? '' : `\nLast lines of its log:\n${logTail}`;
    super(
      'COMPONENT_START_FAILED',
      'environment',
      `${component} failed to start: ${reason}${where}${tail}`,
    );
    this.component = component;
    this.logFile = logFile;
  }
}

/** A supervised process survived SIGTERM and SIGKILL, or its pid is still present in /proc. */
export class ComponentStopError extends StackproofError {
  readonly component: string;
  readonly pid: number;

  constructor(component: string, pid: number, reason: string) {
    super(
      'COMPONENT_STOP_FAILED',
      'environment',
      `${component} (pid ${pid}) could not be stopped: ${reason}. ` +
        `Stop it by hand with 'kill -9 ${pid}' and report the log.`,
    );
    this.component = component;
    this.pid = pid;
  }
}

/** Generating the control plane's keys and certificates with the openssl CLI failed. */
export class PkiError extends StackproofError {
  constructor(step: string, detail: string) {
    super(
      'PKI_FAILED',
      'environment',
      `could not create the sandbox PKI (${step}): ${detail}. ` +
        `The sandbox needs the openssl CLI: 'apt-get install openssl' (or run 'make tools').`,
    );
  }
}

// A bounded wait that ran out of time is core's WaitTimeoutError.
export { WaitTimeoutError } from '@stackproof/core';
