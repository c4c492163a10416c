import { StackproofError } from '@stackproof/core';

/**
 * The target cannot be checked at all: the AWS endpoint or the Kubernetes API does not answer, or
 * refuses the credentials. One line that says what to fix; no credential is ever part of it.
 */
export class LiveTargetError extends StackproofError {
  constructor(
    code: 'AWS_UNREACHABLE' | 'AWS_CREDENTIALS' | 'KUBE_UNREACHABLE' | 'KUBE_CREDENTIALS',
    message: string,
    cause?: unknown,
  ) {
    super(code, 'environment', message, { cause });
  }
}

/** What an SDK error means for a check. */
export type AwsErrorClass =
  /** The endpoint did not answer (refused, DNS, timeout). */
  | 'unreachable'
  /** The credentials are missing, expired or refused. */
  | 'credentials'
  /** The identity may not make this call. */
  | 'access-denied'
  /** The endpoint does not implement the call (an emulator's gap). */
  | 'not-implemented'
  /** Anything else: an answer the check judges (not found, invalid parameter...). */
  | 'answer';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthFailure',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'RequestExpired',
  'TokenRefreshRequired',
  'InvalidToken',
]);

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'UnauthorizedException',
]);

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly cause?: unknown;
  readonly errors?: readonly unknown[];
}

function networkCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const e = error as SdkError;
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return e.code;
  if (e.name === 'TimeoutError') return 'ETIMEDOUT';
  for (const inner of [e.cause, ...(e.errors ?? [])]) {
    const found = networkCode(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function classifyAwsError(error: unknown): AwsErrorClass {
  if (networkCode(error) !== undefined) return 'unreachable';
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? '';
  if (CREDENTIAL_ERRORS.has(name) || /credential/i.test(name)) return 'credentials';
  if (ACCESS_DENIED.has(name)) return 'access-denied';
  const status = e.$metadata?.httpStatusCode;
  if (
    name === 'NotImplemented' ||
    name === 'NotImplementedError' ||
    name === 'InvalidAction' ||
    // moto answers an operation it lacks with a bare 404 (no error code) or a 500.
    (status === 404 && (name === 'UnknownError' || name === 'NotFound' || name === '404')) ||
    (status === 500 && /not (yet )?implemented/i.test(e.message ?? ''))
  ) {
    return 'not-implemented';
  }
  return 'answer';
}

/** The error name an SDK call failed with (`DBInstanceNotFound`), for evidence. */
export function awsErrorName(error: unknown): string {
  const e = (error ?? {}) as SdkError;
  return e.name ?? 'Error';
}

/**
 * Turns an error that means "the target cannot be checked" into a `LiveTargetError`; returns the
 * error unchanged otherwise. The message names the endpoint, never the credentials.
 */
export function targetErrorOf(error: unknown, endpoint: string | undefined): unknown {
  const where = endpoint ?? 'the AWS endpoint of the default configuration';
  switch (classifyAwsError(error)) {
    case 'unreachable':
      return new LiveTargetError(
        'AWS_UNREACHABLE',
        `cannot reach AWS at ${where} (${networkCode(error)}); check AWS_ENDPOINT_URL, the network or the emulator`,
        error,
      );
    case 'credentials': {
      const name = awsErrorName(error);
      const what =
        name === 'CredentialsProviderError'
          ? 'no AWS credentials were found'
          : `AWS refused the credentials (${name})`;
      return new LiveTargetError(
        'AWS_CREDENTIALS',
        `${what} at ${where}: refresh or configure them (aws sso login, AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`,
        error,
      );
    }
    default:
      return error;
  }
}
