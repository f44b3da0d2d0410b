import { describe, expect, it } from 'vitest';
import { formatQueueStatus } from './queue.js';

const worker = {
  host: 'h1',
  pid: 42,
  model: 'tiny-a',
  variant: 'fp32',
  identity: 'abc',
  concurrency: 2,
  processed: 7,
  startedAt: '2026-01-01T00:00:00.000Z',
  lastBeat: '2026-01-01T00:01:00.000Z',
};

describe('formatQueueStatus', () => {
  it('should show counts, workers and throughput per queue, the URL without its password', () => {
    const text = formatQueueStatus(
      {
        queues: [
          {
            queue: 'analyze-abc',
            identity: 'abc',
            counts: { waiting: 1, active: 2, completed: 3, failed: 4, delayed: 0 },
            workers: 1,
            model: { name: 'tiny-a', variant: 'fp32' },
            completedPerMinute: [5, 4, 3, 2, 1],
          },
        ],
        workers: [worker],
      },
      'redis://u:secret@host:6379',
    );
    expect(text).toContain('queues at redis://***@host:6379\n');
    expect(text).toContain('  analyze-abc: tiny-a (fp32)\n    waiting 1, active 2, delayed 0, completed 3, failed 4; workers 1\n');
    expect(text).toContain('(newest first): 5 4 3 2 1\n');
    expect(text).toContain('workers (1)\n  h1 pid 42: tiny-a (fp32, model abc), concurrency 2, 7 done, last beat 2026-01-01T00:01:00.000Z\n');
    expect(text).not.toContain('secret');
  });

  it('should say when jobs wait for a model no worker serves', () => {
    const text = formatQueueStatus(
      {
        queues: [
          {
            queue: 'analyze-def',
            identity: 'def',
            counts: { waiting: 3, active: 0, completed: 0, failed: 0, delayed: 1 },
            workers: 0,
            model: null,
            completedPerMinute: [0, 0, 0, 0, 0],
          },
        ],
        workers: [],
      },
      'redis://h:1',
    );
    expect(text).toContain('analyze-def: model not served by any worker');
    expect(text).toContain('4 job(s) wait for a worker with this model');
    expect(text).toContain('workers (0)\n');
  });
});
