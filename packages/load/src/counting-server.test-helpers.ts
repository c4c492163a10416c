import { createServer, type Server } from 'node:http';
import { LOOPBACK_HOST, listenOnLoopback } from '@stackproof/core';

/**
 * A loopback HTTP server for the k6 tests: counts every request it receives, answers /healthz
 * with 200 and every other path with `status`. Test helper only (not exported by the package).
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
  const port = await listenOnLoopback(server);
  return {
    url: `http://${LOOPBACK_HOST}:${port}`,
    count: () => received,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
