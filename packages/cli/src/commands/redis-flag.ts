/**
 * The `--redis URL` flag of `e2v worker`, `e2v analyze` and `e2v queue status`: the URL of the
 * Redis that holds the queue (`redis://` or `rediss://`), by default `E2V_REDIS_URL`.
 * @module
 */
import { resolveRedisUrl } from '@e2v/queue';
import { UsageError } from '../errors.js';

/**
 * The checked Redis URL, or undefined when neither `--redis` nor `E2V_REDIS_URL` is set.
 * @throws QueueError `E2V_ERR_QUEUE_URL` for a URL that is not redis:// or rediss://
 */
export function optionalRedisUrl(flag: string | undefined): string | undefined {
  return resolveRedisUrl(flag, process.env);
}

/**
 * The checked Redis URL of a command that needs one.
 * @param command the command, for the message
 * @throws UsageError when neither `--redis` nor `E2V_REDIS_URL` is set
 */
export function requiredRedisUrl(flag: string | undefined, command: string): string {
  const url = optionalRedisUrl(flag);
  if (url === undefined) throw new UsageError(`${command} needs --redis URL (or E2V_REDIS_URL)`);
  return url;
}
