/**
 * Where Redis is: `--redis URL`, else `E2V_REDIS_URL`; `redis://[user:password@]host:port[/db]`
 * or `rediss://` (TLS). Connections reconnect with a capped exponential backoff, and a URL is
 * only ever shown redacted, so credentials never reach a log or an error message.
 * @module
 */
import { Redis } from 'ioredis';
import { QueueError } from './errors.js';

/** The environment variable that sets the default Redis URL. */
export const REDIS_URL_ENV = 'E2V_REDIS_URL';

/** Longest wait between two reconnection attempts, in ms. */
export const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * The URL, checked: from the flag, else from `E2V_REDIS_URL`; undefined when neither is set.
 * @param flag the `--redis` value
 * @param env the environment (process.env)
 * @throws QueueError `E2V_ERR_QUEUE_URL` for a value that is not a redis:// or rediss:// URL
 */
export function resolveRedisUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const url = flag ?? (env[REDIS_URL_ENV] === '' ? undefined : env[REDIS_URL_ENV]);
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueError(
      'E2V_ERR_QUEUE_URL',
      `the Redis URL must look like redis://host:6379 or rediss://user:password@host:6380, not '${redactRedisUrl(url)}'`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new QueueError('E2V_ERR_QUEUE_URL', `the Redis URL must start with redis:// or rediss://, not ${parsed.protocol}//`);
  }
  return url;
}

/**
 * The URL with its user and password replaced by `***` (for logs and errors); a string that is
 * not a URL is cut at its last `@` so nothing before it shows.
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    return `${parsed.protocol}//***@${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    const at = url.lastIndexOf('@');
    return at < 0 ? url : `***${url.slice(at)}`;
  }
}

/** The delay before reconnection attempt `times` (1, 2, ...): 100 ms doubling, capped. */
export function reconnectDelay(times: number): number {
  return Math.min(100 * 2 ** Math.min(times - 1, 10), MAX_RECONNECT_DELAY_MS);
}

/**
 * A new connection to `url` as BullMQ needs it: commands wait while Redis is away
 * (`maxRetriesPerRequest: null`) and reconnection never gives up (callers decide how long
 * they wait); a connection error is not thrown as an unhandled event.
 * @param url a checked URL (see {@link resolveRedisUrl})
 * @param onError told about each connection error, with the message already free of the URL
 */
export function connectRedis(url: string, onError: (message: string) => void = () => undefined): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: reconnectDelay, lazyConnect: false });
  redis.on('error', (error: Error) => onError(error.message.split(url).join(redactRedisUrl(url))));
  return redis;
}
