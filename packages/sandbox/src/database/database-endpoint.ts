import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { LOOPBACK_HOST, listenOnLoopback } from '@stackproof/core';

/**
 * The database's one stable address, the sandbox's stand-in for an RDS instance's DNS name: a
 * loopback TCP proxy that splices each client connection to whichever server is the primary now.
 * A failover moves it as RDS moves its CNAME: `cut()` resets every open connection (clients see
 * them break, as when the primary's host goes away) and refuses new ones until `route()` names
 * the promoted server; clients then reconnect to the same address and reach the new primary.
 */
export class DatabaseEndpoint {
  readonly #server: Server;
  readonly #open = new Set<Socket>();
  #target: number | undefined;
  #port = 0;

  private constructor(target: number) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Listens on a free loopback port and routes to `targetPort` (the primary). */
  static async start(targetPort: number): Promise<DatabaseEndpoint> {
    const endpoint = new DatabaseEndpoint(targetPort);
    endpoint.#port = await listenOnLoopback(endpoint.#server);
    return endpoint;
  }

  get host(): string {
    return LOOPBACK_HOST;
  }

  get port(): number {
    return this.#port;
  }

  /** The server port new connections go to; undefined while a failover is under way. */
  get target(): number | undefined {
    return this.#target;
  }

  /** Client connections spliced to the primary right now. */
  get openConnections(): number {
    return this.#open.size / 2;
  }

  #accept(client: Socket): void {
    const target = this.#target;
    if (target === undefined) {
      // Nothing answers at the name during a failover: the client's connect fails at once.
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: LOOPBACK_HOST, port: target });
    this.#open.add(client);
    this.#open.add(upstream);
    const close = (): void => {
      this.#open.delete(client);
      this.#open.delete(upstream);
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Resets every open connection and refuses new ones: the primary is gone. */
  cut(): void {
    this.#target = undefined;
    for (const socket of [...this.#open]) socket.resetAndDestroy();
    this.#open.clear();
  }

  /** New connections go to `targetPort` (the promoted standby). */
  route(targetPort: number): void {
    this.#target = targetPort;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
