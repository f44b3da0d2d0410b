/**
 * Caps on open connections, below the process's open-file limit, so that no flood of sockets can
 * leave the server unable to accept anyone. A connection over the cap first makes room by closing
 * the oldest idle connection (no request in progress: a keep-alive socket, or one that has sent
 * nothing yet); when every connection is busy, its requests are answered with a clear refusal
 * (503, or 429 over the per-address cap; JSON error, Retry-After, `Connection: close`) and it is
 * closed. Loopback clients share one address, so only other addresses get a per-address cap. A
 * connection that sends no request within the header timeout is closed (Node's own
 * `headersTimeout` only starts with the first byte).
 * @module
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { RETRY_AFTER_S } from '../errors.js';
import { isCappedAddress } from './node-request.js';
import { KeyCounts } from './key-counts.js';

/** The caps. */
export interface ConnectionLimits {
  /** Open connections in all. */
  maxConnections: number;
  /** Open connections of one non-loopback address. */
  maxConnectionsPerClient: number;
  /** Time a new connection gets to send its first request, in ms. */
  headersTimeoutMs: number;
}

/** Connections refused beyond the cap that may still wait for their answer. */
const REFUSAL_HEADROOM = 64;

/** A refused connection is closed after this long, answered or not. */
const REFUSED_SOCKET_MS = 2_000;

interface Tracked {
  client: string;
  /** Requests in progress on the connection. */
  busy: number;
  /** True once a request came. */
  served: boolean;
}

interface Refusal {
  status: 429 | 503;
  message: string;
}

/** Counts the connections of one server and refuses those over the caps. */
export class ConnectionGuard {
  /** Accepted connections, oldest first. */
  private readonly sockets = new Map<Socket, Tracked>();
  private readonly perClient = new KeyCounts();
  private readonly refused = new WeakMap<Socket, Refusal>();

  /** @param limits the caps */
  constructor(private readonly limits: ConnectionLimits) {}

  /** Accepted connections open now. */
  get size(): number {
    return this.sockets.size;
  }

  /**
   * Watches `server`'s connections; beyond the cap plus a small headroom for refusals, Node itself
   * drops new connections.
   */
  attach(server: Server): void {
    server.maxConnections = this.limits.maxConnections + REFUSAL_HEADROOM;
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  /**
   * Wraps the request listener: requests on a refused connection get the refusal; the others are
   * counted as in progress until their response closes.
   */
  guard(listener: RequestListener): RequestListener {
    return (request: IncomingMessage, response: ServerResponse) => {
      const refusal = this.refused.get(request.socket);
      if (refusal !== undefined) {
        const body = JSON.stringify({ error: { code: 'E2V_ERR_HTTP_TOO_MANY_CONNECTIONS', message: refusal.message } });
        response.writeHead(refusal.status, {
          'Content-Type': 'application/json',
          'Retry-After': String(RETRY_AFTER_S),
          Connection: 'close',
          'Content-Length': Buffer.byteLength(body),
        });
        response.end(body);
        return;
      }
      const tracked = this.sockets.get(request.socket);
      if (tracked !== undefined) {
        if (tracked.busy === 0 && !tracked.served) request.socket.setTimeout(0); // the first request came in time
        tracked.served = true;
        tracked.busy += 1;
        response.once('close', () => (tracked.busy -= 1));
      }
      listener(request, response);
    };
  }

  private admit(socket: Socket): void {
    const client = socket.remoteAddress ?? '';
    if (isCappedAddress(client) && this.perClient.get(client) >= this.limits.maxConnectionsPerClient && !this.closeIdle((t) => t.client === client)) {
      this.refuse(socket, { status: 429, message: `Too many connections from ${client}: at most ${this.limits.maxConnectionsPerClient}` });
      return;
    }
    if (this.sockets.size >= this.limits.maxConnections && !this.closeIdle(() => true)) {
      this.refuse(socket, { status: 503, message: `Too many open connections (${this.sockets.size}); retry later` });
      return;
    }
    this.sockets.set(socket, { client, busy: 0, served: false });
    socket.setTimeout(this.limits.headersTimeoutMs);
    this.perClient.add(client, 1);
    socket.once('close', () => this.forget(socket));
  }

  /** Takes a connection out of the counts (once). */
  private forget(socket: Socket): void {
    const tracked = this.sockets.get(socket);
    if (tracked === undefined) return;
    this.sockets.delete(socket);
    this.perClient.add(tracked.client, -1);
  }

  /** Closes the oldest idle connection that matches; false when there is none. */
  private closeIdle(matches: (tracked: Tracked) => boolean): boolean {
    for (const [socket, tracked] of this.sockets) {
      if (tracked.busy === 0 && matches(tracked)) {
        this.forget(socket); // its 'close' event comes later
        socket.destroy();
        return true;
      }
    }
    return false;
  }

  private refuse(socket: Socket, refusal: Refusal): void {
    this.refused.set(socket, refusal);
    socket.setTimeout(REFUSED_SOCKET_MS, () => socket.destroy());
  }
}
