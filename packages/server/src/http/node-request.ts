/**
 * The Node request and response behind a Hono context (`c.env` on @hono/node-server): the body,
 * read as a Node stream (after `100 Continue` when the client waits for it), and who it comes
 * from, for the per-client caps. All clients of a loopback-bound server share one address, so
 * loopback addresses get no per-address cap (the per-session rules apply instead).
 * @module
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

/** A request and its response as Node sees them. */
export interface NodeExchange {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

/**
 * The Node request and response of a context, or undefined without them (e.g. `app.request()` in
 * tests). Bodies are read from the request rather than from `c.req.raw.body`: Node 20's
 * `Readable.toWeb`, which that body goes through, reads the socket with no limit on what it buffers.
 * @param c the request context
 */
export function nodeRequest(c: Context): NodeExchange | undefined {
  const env = c.env as { incoming?: unknown; outgoing?: unknown } | undefined;
  return env?.incoming instanceof IncomingMessage && env.outgoing instanceof ServerResponse ? { incoming: env.incoming, outgoing: env.outgoing } : undefined;
}

/**
 * The peer address of the request's connection ('' without one).
 * @param c the request context
 */
export function clientAddress(c: Context): string {
  return nodeRequest(c)?.incoming.socket.remoteAddress ?? '';
}

/** True for addresses that get a per-address cap: known and not loopback (127/8, ::1, v4-mapped 127/8). */
export function isCappedAddress(address: string): boolean {
  return address !== '' && address !== '::1' && !/^(?:::ffff:)?127\./.test(address);
}
