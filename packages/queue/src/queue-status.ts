/**
 * What `e2v queue status` shows: for each model's queue its waiting / active / completed /
 * failed / delayed counts, the workers serving it (a queue with waiting jobs and none is flagged)
 * and its completed jobs per minute over the last minutes (BullMQ metrics, which workers
 * record); and every worker whose heartbeat is fresh.
 * @module
 */
import { Queue, type Metrics } from 'bullmq';
import type { Redis } from 'ioredis';
import { HEARTBEAT_PATTERN, type WorkerRecord } from './heartbeat.js';
import { KEY_PREFIX } from './model-identity.js';

/** Minutes of throughput reported. */
export const THROUGHPUT_MINUTES = 5;

/** One model queue's state. */
export interface ModelQueueStatus {
  /** The BullMQ queue name, `analyze-<identity>`. */
  queue: string;
  identity: string;
  counts: { waiting: number; active: number; completed: number; failed: number; delayed: number };
  /** Workers serving this model now. */
  workers: number;
  /** Model name and variant, from a worker serving it (null when none does). */
  model: { name: string; variant: string } | null;
  /** Completed jobs in each of the last {@link THROUGHPUT_MINUTES} minutes, newest first. */
  completedPerMinute: number[];
}

/** The whole picture. */
export interface QueueStatus {
  queues: ModelQueueStatus[];
  workers: WorkerRecord[];
}

/**
 * Completed jobs in each of the last `minutes` minutes, newest (the current one) first, out of
 * BullMQ's metrics: `data` holds whole minutes before the minute of `meta.prevTS`, and that
 * minute's count so far is `meta.count - meta.prevCount` (BullMQ writes it to `data` only when a
 * job completes in a later minute).
 * @param metrics what `Queue.getMetrics('completed')` returned
 * @param now the time (ms since the epoch)
 * @param minutes how many minutes
 */
export function completedPerMinute(metrics: Metrics, now: number, minutes: number): number[] {
  const { count, prevTS, prevCount } = metrics.meta;
  const since = prevTS > 0 ? Math.floor(now / 60_000) - Math.floor(prevTS / 60_000) : Number.POSITIVE_INFINITY;
  return Array.from({ length: minutes }, (_, k) => {
    if (k < since) return 0;
    if (k === since) return count - prevCount;
    return metrics.data[k - since - 1] ?? 0;
  });
}

/** Every key matching `pattern` (SCAN, never KEYS). */
async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** The workers whose heartbeat has not expired, by host and pid. */
async function liveWorkers(redis: Redis): Promise<WorkerRecord[]> {
  const keys = await scanKeys(redis, HEARTBEAT_PATTERN);
  const values = keys.length === 0 ? [] : await redis.mget(keys);
  return values
    .filter((v): v is string => v !== null)
    .map((v) => JSON.parse(v) as WorkerRecord)
    .sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid);
}

/**
 * Reads the status of every e2v model queue in this Redis.
 * @param redis a connection (left open)
 */
export async function queueStatus(redis: Redis): Promise<QueueStatus> {
  const workers = await liveWorkers(redis);
  const metaKeys = await scanKeys(redis, `${KEY_PREFIX}:analyze-*:meta`);
  const names = new Set(metaKeys.map((k) => k.slice(KEY_PREFIX.length + 1, -':meta'.length)));
  for (const w of workers) names.add(`analyze-${w.identity}`);
  const queues: ModelQueueStatus[] = [];
  for (const name of [...names].sort()) {
    const queue = new Queue(name, { connection: redis, prefix: KEY_PREFIX });
    try {
      const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
      const metrics = await queue.getMetrics('completed', 0, THROUGHPUT_MINUTES);
      const identity = name.slice('analyze-'.length);
      const serving = workers.filter((w) => w.identity === identity);
      queues.push({
        queue: name,
        identity,
        counts: {
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          completed: counts.completed ?? 0,
          failed: counts.failed ?? 0,
          delayed: counts.delayed ?? 0,
        },
        workers: serving.length,
        model: serving[0] === undefined ? null : { name: serving[0].model, variant: serving[0].variant },
        completedPerMinute: completedPerMinute(metrics, Date.now(), THROUGHPUT_MINUTES),
      });
    } finally {
      await queue.close();
    }
  }
  return { queues, workers };
}
