/**
 * The error a request failed with, remembered on its context so that its log line carries the
 * code and the cause (a client abort, a full disk), whichever API shape the client got.
 * @module
 */
import type { Context } from 'hono';
import { toHttpError, type HttpError } from '../errors.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Why the request failed (set by {@link recordFailure}). */
    failure: HttpError;
  }
}

/**
 * The HttpError of `error` (see {@link toHttpError}), remembered for the request's log line.
 * @param c the request context
 * @param error what was thrown
 */
export function recordFailure(c: Context, error: unknown): HttpError {
  const http = toHttpError(error);
  c.set('failure', http);
  return http;
}
