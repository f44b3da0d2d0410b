/**
 * The errors of the queue layer, each with a stable code (docs/errors.md).
 * @module
 */
import { E2vError } from '@e2v/core';

/**
 * Stable codes of {@link QueueError}:
 * - `E2V_ERR_QUEUE_URL`: the Redis URL is not a `redis://` or `rediss://` URL.
 * - `E2V_ERR_QUEUE_UNAVAILABLE`: Redis could not be reached for longer than the caller waits.
 * - `E2V_ERR_QUEUE_PAYLOAD_TOO_LARGE`: the audio is larger than a job may carry.
 * - `E2V_ERR_QUEUE_PAYLOAD_EXPIRED`: the job's audio is gone from Redis (its TTL passed) before a worker took it.
 * - `E2V_ERR_QUEUE_MODEL`: the model folder gives no model identity (model.json without `source.sha256`).
 */
export type QueueErrorCode =
  | 'E2V_ERR_QUEUE_URL'
  | 'E2V_ERR_QUEUE_UNAVAILABLE'
  | 'E2V_ERR_QUEUE_PAYLOAD_TOO_LARGE'
  | 'E2V_ERR_QUEUE_PAYLOAD_EXPIRED'
  | 'E2V_ERR_QUEUE_MODEL';

/** A failure of the queue layer itself; messages name Redis by its redacted URL only. */
export class QueueError extends E2vError {
  declare readonly code: QueueErrorCode;

  /**
   * @param code stable code, a {@link QueueErrorCode}
   * @param message one line, without credentials
   * @param options the underlying `cause`
   */
  constructor(code: QueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
Object.defineProperty(QueueError.prototype, 'name', { value: 'QueueError' });

/** A job that failed in a worker, with the code the worker recorded (e.g. `E2V_ERR_AUDIO_CORRUPT`). */
export class RemoteAnalysisError extends E2vError {
  /**
   * @param code the failure's code as the worker recorded it
   * @param message its one-line message
   */
  constructor(code: E2vError['code'], message: string) {
    super(code, message);
  }
}
Object.defineProperty(RemoteAnalysisError.prototype, 'name', { value: 'RemoteAnalysisError' });
