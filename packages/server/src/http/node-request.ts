/**
 * The Node request behind a Hono context (`c.env.incoming` on @hono/node-server): its body, read
 * as a Node stream, and who it comes from, for the per-client caps. All clients of a
 * loopback-bound server share one address, so loopback addresses get no per-address cap (the
 * per-session rules apply instead).
 * @module
 */
import { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The Node request of a context, or undefined without one (e.g. `app.request()` in tests).
 * Bodies are read from it rather than from `c.req.raw.body`: Node 20's `Readable.toWeb`, which
 * that body goes through, reads the socket with no limit on what it buffers.
 * @param c the request context
 */
export function nodeRequest(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  return incoming instanceof IncomingMessage ? incoming : undefined;
}

/**
 * The peer address of the request's connection ('' without one).
 * @param c the request context
 */
export function clientAddress(c: Context): string {
  return nodeRequest(c)?.socket.remoteAddress ?? '';
}

/** True for addresses that get a per-address cap: known and not loopback (127/8, ::1, v4-mapped 127/8). */
export function isCappedAddress(address: string): boolean {
  return address !== '' && address !== '::1' && !/^(?:::ffff:)?127\./.test(address);
}
