// The tests' one loopback HTTP server: listens on 127.0.0.1 on a free port,
// gives its base URL, and stops with every connection closed. The registry
// (test/enrich/registry-server.ts) and the advisory sources
// (test/advisories/advisory-server.ts) are its two route sets.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export abstract class LoopbackServer {
  /** `http://127.0.0.1:<port>/` once started. */
  url = '';
  #server: Server | null = null;

  async start(): Promise<this> {
    this.#server = createServer((req, res) => this.handle(req, res));
    // Node closes an idle kept-alive connection after 5 s; a client that reuses it at that moment gets ECONNRESET,
    // which the tests' clients (no retries) report as an unreachable source on a loaded machine. Keep connections
    // until stop() closes them all.
    this.#server.keepAliveTimeout = 10 * 60_000;
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;
}

/** A JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
