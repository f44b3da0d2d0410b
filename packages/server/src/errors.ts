/**
 * The server's one error type, and the mapping of engine errors to HTTP statuses. Every error a
 * client sees has a stable `code` and a one-line `message`; REST sends
 * `{ error: { code, message } }`, the Gradio routes their own shapes.
 * @module
 */
import { AbortedError, AudioDecodeError, InferenceError, InputError, ModelLoadError, QueueFullError } from '@e2v/engine';
import { E2vError, type E2vErrorCode } from '@e2v/core';
import { PluginVetoError } from '@e2v/plugins';

/** HTTP statuses the server answers errors with. */
export type ErrorStatus = 400 | 403 | 404 | 405 | 413 | 415 | 422 | 429 | 500 | 503 | 507;

/** An error with the HTTP status, stable code and headers (e.g. `Retry-After`) of its response. */
export class HttpError extends E2vError {
  /**
   * @param status HTTP status
   * @param code stable code (`E2V_ERR_HTTP_*`, or an engine code)
   * @param message one line for the client
   * @param headers extra response headers
   */
  constructor(
    readonly status: ErrorStatus,
    code: E2vErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
Object.defineProperty(HttpError.prototype, 'name', { value: 'HttpError' });

/** Seconds a client should wait before retrying when the queue is full. */
export const RETRY_AFTER_S = 5;

/** 413 `E2V_ERR_HTTP_TOO_LARGE` for a limit of `limit` bytes. */
export function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'E2V_ERR_HTTP_TOO_LARGE', `Upload too large: the limit is ${limit} bytes`);
}

const AUDIO_STATUS: Partial<Record<string, ErrorStatus>> = {
  E2V_ERR_AUDIO_UNSUPPORTED: 415,
  E2V_ERR_AUDIO_TOO_LONG: 413,
  E2V_ERR_AUDIO_TIMEOUT: 422,
  E2V_ERR_AUDIO_DECODER_CRASHED: 500,
};

/**
 * The HttpError for any error an analysis can raise: bad audio 400/415/413, queue full 429 with
 * `Retry-After`, no model 503, anything unexpected 500 (its message hidden from the client).
 * @param error what was thrown
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof AudioDecodeError) return new HttpError(AUDIO_STATUS[error.code] ?? 400, error.code, error.message, {}, { cause: error });
  if (error instanceof InputError) {
    const status = error.code === 'E2V_ERR_INPUT_TOO_LONG' || error.code === 'E2V_ERR_INPUT_EMBEDDING_TOO_LARGE' ? 413 : 400;
    return new HttpError(status, error.code, error.message, {}, { cause: error });
  }
  if (error instanceof QueueFullError) {
    return new HttpError(
      429,
      error.code,
      'The server is busy: too many analyses are queued; retry later',
      { 'Retry-After': String(RETRY_AFTER_S) },
      { cause: error },
    );
  }
  if (error instanceof PluginVetoError) return new HttpError(422, error.code, error.message, {}, { cause: error });
  if (error instanceof AbortedError)
    return new HttpError(503, error.code, 'The analysis was cancelled (client gone or server shutting down)', {}, { cause: error });
  if (error instanceof ModelLoadError) return new HttpError(503, error.code, error.message, {}, { cause: error });
  if (error instanceof InferenceError) {
    const status = error.code === 'E2V_ERR_ENGINE_CLOSED' ? 503 : 500;
    return new HttpError(status, error.code, error.message, {}, { cause: error });
  }
  return new HttpError(500, 'E2V_ERR_HTTP_INTERNAL', 'Internal server error (see the server log)', {}, { cause: error });
}
