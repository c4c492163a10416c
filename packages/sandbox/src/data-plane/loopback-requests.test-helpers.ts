import { request } from 'node:http';

export interface RequestOutcome {
  /** HTTP status, or 0 when the connection failed (reset, refused, timed out). */
  readonly status: number;
  readonly body: string;
}

/**
 * One HTTP request on a fresh connection (no keep-alive), so that each request is balanced by the
 * sandbox's router on its own, as a new client connection through kube-proxy would be. Loopback
 * only; bounded by `timeoutMs`.
 */
export function requestOnce(
  url: string,
  options: { readonly method?: string; readonly body?: string; readonly timeoutMs?: number } = {},
): Promise<RequestOutcome> {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    return Promise.reject(new Error(`refusing to send traffic off loopback: ${url}`));
  }
  return new Promise((resolve) => {
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        agent: false,
        timeout: options.timeoutMs ?? 5_000,
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(options.body);
  });
}
