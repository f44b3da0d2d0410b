/**
 * Cross-origin protection for a server bound to localhost (Gradio's CORS/CSRF advisories: any
 * website could POST to localhost:7860). When the server listens on a loopback address:
 * - a request whose `Host` is not a loopback name is refused (DNS rebinding);
 * - a request from a browser page of another origin (`Origin` not a loopback origin, `null`
 *   included, or `Sec-Fetch-Site: cross-site`) is refused, whatever its method;
 * - no `Access-Control-Allow-Origin` is ever sent to a non-local origin.
 * Bound to every interface (`0.0.0.0`, `::`, as Gradio users set GRADIO_SERVER_NAME for their
 * network), requests addressed to a loopback name get the same origin checks, and requests
 * addressed otherwise (the network's clients) are let through as on an exposed server.
 * Clients that send no `Origin` (curl, the Python and Node Gradio clients) are unaffected.
 * @module
 */
import type { MiddlewareHandler } from 'hono';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);

/** Bind addresses meaning every interface. */
const EVERY_INTERFACE = new Set(['0.0.0.0', '::', '[::]']);

/** True for a loopback bind address. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host name of a `Host` header value (port removed, IPv6 brackets kept). */
function hostName(header: string): string {
  const bracket = /^(\[[^\]]+\])(?::\d+)?$/.exec(header);
  if (bracket !== null) return bracket[1]!;
  return header.replace(/:\d+$/, '');
}

/** True when `origin` is an http(s) origin on a loopback host. */
function isLocalOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

function forbidden(message: string): Response {
  return new Response(JSON.stringify({ error: { code: 'E2V_ERR_HTTP_CROSS_ORIGIN', message } }), {
    status: 403,
    headers: { 'Content-Type': 'application/json' },
  });
}

/**
 * The middleware. Does nothing when the server is exposed (`--host` not loopback): then it is
 * the operator's network, and browsers get no CORS headers at all (same-origin only); bound to
 * every interface, it guards the requests addressed to a loopback name only.
 * @param boundHost the address the server listens on
 */
export function localOriginGuard(boundHost: string): MiddlewareHandler {
  const everyInterface = EVERY_INTERFACE.has(boundHost);
  const loopbackOnly = !everyInterface && isLoopbackHost(boundHost);
  return async function localOrigin(c, next) {
    const host = c.req.header('host');
    const toLoopback = host === undefined || isLoopbackHost(hostName(host));
    if (loopbackOnly || (everyInterface && toLoopback)) {
      if (!toLoopback) return forbidden(`Host '${host!.slice(0, 100)}' is not this local server`);
      const origin = c.req.header('origin');
      if (origin !== undefined && !isLocalOrigin(origin))
        return forbidden(`Cross-origin request from '${origin.slice(0, 100)}' refused: this server only serves local pages`);
      if (origin === undefined && c.req.header('sec-fetch-site') === 'cross-site')
        return forbidden('Cross-site request refused: this server only serves local pages');
      if (origin !== undefined && c.req.method === 'OPTIONS') {
        return new Response(null, {
          status: 204,
          headers: {
            'Access-Control-Allow-Origin': origin,
            'Access-Control-Allow-Methods': 'GET, POST, HEAD',
            'Access-Control-Allow-Headers': 'Content-Type',
            Vary: 'Origin',
          },
        });
      }
      await next();
      if (origin !== undefined) {
        c.res.headers.set('Access-Control-Allow-Origin', origin);
        c.res.headers.append('Vary', 'Origin');
      }
      return;
    }
    await next();
  };
}
