/**
 * An error that maps to one HTTP response. `code` is a stable machine-readable string clients can
 * branch on; `message` says what to change in the request.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    status: number,
    code: string,
    message: string,
    options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * Whether a node-postgres error means "the database cannot be reached right now" (a 503 the
 * client may retry) rather than a bug or a bad query (a 500). SQLSTATE class 08 is connection
 * exception; 57P01..57P03 are admin/crash shutdown and "cannot connect now" (server starting).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_ERROR_CODES.has(code)) return true;
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')
      return true;
    if (code === '53300') return true; // too_many_connections
  }
  // pg raises plain Errors for these (no code).
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ETIMEDOUT|Connection refused/i.test(
    error.message,
  );
}
