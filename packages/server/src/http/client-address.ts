/**
 * Who a request comes from, for the per-client caps: the peer address of its connection. All
 * clients of a loopback-bound server share one address, so loopback addresses get no per-address
 * cap (the per-session rules apply instead).
 * @module
 */
import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';

/**
 * The peer address of the request's connection ('' without one, e.g. `app.request()` in tests).
 * @param c the request context (`c.env.incoming` on @hono/node-server)
 */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: IncomingMessage } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? '';
}

/** True for addresses that get a per-address cap: known and not loopback (127/8, ::1, v4-mapped 127/8). */
export function isCappedAddress(address: string): boolean {
  return address !== '' && address !== '::1' && !/^(?:::ffff:)?127\./.test(address);
}
