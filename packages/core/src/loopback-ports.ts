import { createServer, type Server } from 'node:net';

/** Every server and load target stackproof starts binds here: tests send traffic to loopback only. */
export const LOOPBACK_HOST = '127.0.0.1';

/** Listens on 127.0.0.1:`port` (0: a free one) and resolves with the port bound. */
export function listenOnLoopback(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK_HOST, port, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('listening socket has no TCP address'));
        return;
      }
      resolve(address.port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Asks the kernel for `count` distinct free ports on 127.0.0.1. All sockets are held open until
 * every port is known, so the same port is never handed out twice; they are closed before
 * returning, so another process could in principle take one before the component binds it (the
 * component then fails to start with "address already in use" in its log).
 */
export async function reserveLoopbackPorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    const ports: number[] = [];
    for (const server of servers) ports.push(await listenOnLoopback(server));
    return ports;
  } finally {
    await Promise.all(servers.filter((s) => s.listening).map(close));
  }
}

/** One free loopback port (see `reserveLoopbackPorts`). */
export async function reserveLoopbackPort(): Promise<number> {
  const [port] = await reserveLoopbackPorts(1);
  if (port === undefined) throw new Error('the kernel handed out no loopback port');
  return port;
}

/** True when nothing listens on `port` at 127.0.0.1 (it can be bound right now). */
export async function isLoopbackPortFree(port: number): Promise<boolean> {
  const server = createServer();
  try {
    await listenOnLoopback(server, port);
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) await close(server);
  }
}
