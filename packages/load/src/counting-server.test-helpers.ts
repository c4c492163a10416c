import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server for the k6 tests: counts every request it receives, answers /healthz
 * with 200 and every other path with `status`. Test support only (not exported by the package).
 */
export interface CountingServer extends AsyncDisposable {
  readonly url: string;
  /** Requests received so far, /healthz included. */
  readonly count: () => number;
}

export async function startCountingServer(status: number): Promise<CountingServer> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    received += 1;
    res.statusCode = req.url === '/healthz' ? 200 : status;
    res.setHeader('content-type', 'text/plain');
    res.end(res.statusCode === 200 ? 'ok\n' : 'failing on purpose\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => received,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port that nothing listens on (bound, then released). */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
