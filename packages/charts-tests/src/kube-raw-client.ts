import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { StackproofError } from '@stackproof/core';

export interface RawResponse {
  readonly status: number;
  readonly text: string;
}

/** The apiserver answered a request with an error status. */
export class KubeRequestError extends StackproofError {
  readonly status: number;
  constructor(method: string, path: string, response: RawResponse) {
    super(
      'KUBE_REQUEST_FAILED',
      'environment',
      `${method} ${path} answered HTTP ${response.status}: ${statusMessage(response.text)}`,
    );
    this.status = response.status;
  }
}

/** The message of a Kubernetes Status body, or the raw text when it is not one. */
export function statusMessage(text: string): string {
  try {
    const status = JSON.parse(text) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not JSON: keep the raw text
  }
  return text;
}

/**
 * A minimal JSON client over the kubeconfig's TLS credentials (loaded by @kubernetes/client-node).
 *
 * Why not the client's object API: it re-serializes built-in kinds through its generated models,
 * which silently drops unknown fields (the apiserver would never see a typo, and strict field
 * validation would prove nothing), and it drops every `enum` of a CRD schema on the way (the
 * model calls the field `_enum`), installing a CRD that accepts any value. Bodies sent here go
 * out exactly as rendered.
 */
export class KubeRawClient {
  readonly #kubeConfig: KubeConfig;
  readonly #server: string;

  constructor(kubeconfigPath: string) {
    this.#kubeConfig = new KubeConfig();
    this.#kubeConfig.loadFromFile(kubeconfigPath);
    const cluster = this.#kubeConfig.getCurrentCluster();
    if (cluster === null) {
      throw new StackproofError(
        'KUBECONFIG_INVALID',
        'bad-input',
        `${kubeconfigPath} has no current cluster`,
      );
    }
    this.#server = cluster.server;
  }

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RawResponse> {
    const url = new URL(path, this.#server);
    const options: https.RequestOptions = {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      timeout: 30_000,
    };
    await this.#kubeConfig.applyToHTTPSOptions(options);
    return new Promise((resolvePromise, reject) => {
      const request = https.request(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolvePromise({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
      request.on('error', reject);
      request.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** A request that must succeed (2xx); returns the parsed body. */
  async json(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const response = await this.request(method, path, body);
    if (response.status < 200 || response.status >= 300) {
      throw new KubeRequestError(method, path, response);
    }
    return JSON.parse(response.text) as unknown;
  }
}
