export interface FrontendConfig {
  host: string;
  port: number;
  /** Where /api/* is forwarded, e.g. http://backend:8080 (the backend Service in the cluster). */
  backendUrl: URL;
  /** Per-request timeout of the proxied call; past it the client gets 504. */
  proxyTimeoutMs: number;
  shutdownTimeoutMs: number;
}

export class FrontendConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid frontend configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'FrontendConfigError';
    this.problems = problems;
  }
}

/** Reads PORT, HOST, BACKEND_URL, PROXY_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS; lists every problem. */
export function loadFrontendConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): FrontendConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name}=${raw} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return Number(raw);
  };
  let backendUrl = new URL('http://127.0.0.1:8080');
  const rawBackend = env.BACKEND_URL;
  if (rawBackend) {
    try {
      backendUrl = new URL(rawBackend);
      if (backendUrl.protocol !== 'http:' && backendUrl.protocol !== 'https:') {
        problems.push(`BACKEND_URL must be http:// or https:// (got ${rawBackend})`);
      }
    } catch {
      problems.push(`BACKEND_URL=${rawBackend} is not a URL (expected e.g. http://backend:8080)`);
    }
  } else {
    problems.push('BACKEND_URL is required (e.g. http://backend:8080)');
  }
  const config: FrontendConfig = {
    host: env.HOST ?? '0.0.0.0',
    port: int('PORT', 8080, 0, 65535),
    backendUrl,
    proxyTimeoutMs: int('PROXY_TIMEOUT_MS', 30_000, 100, 600_000),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
  };
  if (problems.length > 0) throw new FrontendConfigError(problems);
  return config;
}
