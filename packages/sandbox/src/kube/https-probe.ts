import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CertKeyPair } from './pki.ts';

export interface ProbeResponse {
  readonly status: number;
  readonly body: string;
}

export interface ProbeTls {
  /** CA file the server's certificate must chain to. */
  readonly caFile: string;
  /** Client certificate to present, if the endpoint needs one. */
  readonly client?: CertKeyPair;
}

const PROBE_TIMEOUT_MS = 5_000;

/**
 * One bounded GET, for readiness probes and for tests that need the raw status code (for
 * example to see that a request without a client certificate is refused). `tls` is required for
 * https URLs: the server certificate is always verified.
 */
export async function probeGet(url: string, tls?: ProbeTls): Promise<ProbeResponse> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const tlsOptions =
    secure && tls !== undefined
      ? {
          ca: await readFile(tls.caFile),
          ...(tls.client === undefined
            ? {}
            : { cert: await readFile(tls.client.cert), key: await readFile(tls.client.key) }),
        }
      : {};
  if (secure && tls === undefined) throw new Error(`probeGet ${url}: https needs a CA file`);
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      { method: 'GET', timeout: PROBE_TIMEOUT_MS, agent: false, ...tlsOptions },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
    request.end();
  });
}
