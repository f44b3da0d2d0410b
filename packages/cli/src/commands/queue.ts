/**
 * `e2v queue status --redis URL [--json]`: each model queue's waiting / active / completed /
 * failed / delayed counts and the workers serving it (a queue with waiting jobs and no worker
 * for its model is flagged), every worker seen (host, pid, model, variant, last heartbeat) and
 * completed jobs per minute over the last minutes.
 * @module
 */
import { parseArgs } from 'node:util';
import { connectRedis, QueueError, queueStatus, redactRedisUrl, THROUGHPUT_MINUTES, type QueueStatus } from '@e2v/queue';
import { EXIT, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { requiredRedisUrl } from './redis-flag.js';

/** The status as text: one block per queue, then the workers. */
export function formatQueueStatus(status: QueueStatus, url: string): string {
  const lines = [`queues at ${redactRedisUrl(url)}`];
  if (status.queues.length === 0) lines.push('  none');
  for (const q of status.queues) {
    const model = q.model === null ? 'model not served by any worker' : `${q.model.name} (${q.model.variant})`;
    const c = q.counts;
    lines.push(`  ${q.queue}: ${model}`);
    lines.push(`    waiting ${c.waiting}, active ${c.active}, delayed ${c.delayed}, completed ${c.completed}, failed ${c.failed}; workers ${q.workers}`);
    lines.push(`    completed per minute, last ${THROUGHPUT_MINUTES} (newest first): ${q.completedPerMinute.join(' ')}`);
    if (q.workers === 0 && c.waiting + c.delayed > 0) lines.push(`    ${c.waiting + c.delayed} job(s) wait for a worker with this model`);
  }
  lines.push(`workers (${status.workers.length})`);
  for (const w of status.workers)
    lines.push(
      `  ${w.host} pid ${w.pid}: ${w.model} (${w.variant}, model ${w.identity}), concurrency ${w.concurrency}, ${w.processed} done, last beat ${w.lastBeat}`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `e2v queue`.
 * @returns 0
 * @throws QueueError `E2V_ERR_QUEUE_UNAVAILABLE` when Redis cannot be reached or refuses the credentials (exit 1)
 */
export async function runQueue(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { redis: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1 || positionals[0] !== 'status') throw new UsageError("e2v queue has one subcommand: 'e2v queue status --redis URL [--json]'");
  const url = requiredRedisUrl(values.redis, 'e2v queue status');
  const redis = connectRedis(url);
  redis.options.retryStrategy = () => null; // a status is a one-off: no reconnecting
  try {
    const status = await queueStatus(redis).catch((cause: unknown) => {
      throw new QueueError(
        'E2V_ERR_QUEUE_UNAVAILABLE',
        `cannot read the queues at ${redactRedisUrl(url)}: ${(cause as Error).message.split(url).join(redactRedisUrl(url))}`,
        { cause },
      );
    });
    io.stdout(values.json ? `${JSON.stringify(status)}\n` : formatQueueStatus(status, url));
    return EXIT.ok;
  } finally {
    redis.disconnect();
  }
}
