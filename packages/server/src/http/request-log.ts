/**
 * One structured log line and one metrics sample per request, tagged with a request id (the
 * client's `X-Request-Id` when it is sane, else a new one, echoed in the response). A failed
 * request's line has its error code and the cause (`err`), whatever status it got.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import type { ServerMetrics } from '../metrics.js';

/** The route pattern that served the request (metrics label), without the catch-all middleware. */
function routeLabel(c: Context): string {
  const route = matchedRoutes(c).find((r) => r.path !== '*' && r.path !== '/*');
  if (route !== undefined) return route.path;
  return /^(?:\/gradio_api)?\/file=/.test(c.req.path) ? '/gradio_api/file=' : 'unmatched';
}

/**
 * The middleware.
 * @param logger the server's logger
 * @param metrics the server's metrics
 */
export function requestLog(logger: Logger, metrics: ServerMetrics): MiddlewareHandler {
  return async function logRequest(c, next) {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const id = given !== undefined && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    await next();
    c.res.headers.set('X-Request-Id', id);
    const ms = performance.now() - started;
    const route = routeLabel(c);
    metrics.recordRequest(c.req.method, route, c.res.status, ms / 1000);
    const failure = c.get('failure');
    const line = {
      reqId: id,
      method: c.req.method,
      path: c.req.path.slice(0, 200),
      route,
      status: c.res.status,
      ms: Math.round(ms * 10) / 10,
      ...(failure === undefined ? {} : { code: failure.code, ...(failure.cause === undefined ? {} : { err: failure.cause }) }),
    };
    if (c.res.status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request');
  };
}
