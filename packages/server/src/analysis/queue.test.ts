import { describe, expect, it } from 'vitest';
import { AnalysisQueue } from './queue.js';

/** A task that finishes when told to. */
function gate<T>(value: T): { task: () => Promise<T>; open: () => void; started: () => boolean } {
  let release!: () => void;
  let began = false;
  const done = new Promise<void>((r) => (release = r));
  return {
    task: async () => {
      began = true;
      await done;
      return value;
    },
    open: () => release(),
    started: () => began,
  };
}

describe('AnalysisQueue', () => {
  it('should run at most `concurrency` tasks, first in first out, reporting ranks and starts', async () => {
    const queue = new AnalysisQueue(1, 5);
    const [a, b, c] = [gate('a'), gate('b'), gate('c')];
    const events: string[] = [];
    const pa = queue.submit(a.task, { onStart: () => events.push('start a') });
    const pb = queue.submit(b.task, { onRank: (rank) => events.push(`b rank ${rank}`), onStart: () => events.push('start b') });
    const pc = queue.submit(c.task, { onRank: (rank) => events.push(`c rank ${rank}`), onStart: () => events.push('start c') });
    expect([a.started(), b.started(), c.started()]).toEqual([true, false, false]);
    expect(queue.depth).toBe(2);
    expect(queue.active).toBe(1);
    a.open();
    await expect(pa).resolves.toBe('a');
    await Promise.resolve();
    expect(b.started()).toBe(true);
    b.open();
    c.open();
    await expect(Promise.all([pb, pc])).resolves.toEqual(['b', 'c']);
    expect(events).toEqual(['start a', 'b rank 0', 'c rank 1', 'c rank 0', 'start b', 'start c']);
  });

  it('should refuse a task when the waiting line is full, with 429 and Retry-After', async () => {
    const queue = new AnalysisQueue(1, 1);
    const running = gate(1);
    const first = queue.submit(running.task);
    const second = queue.submit(async () => 2);
    expect(queue.full).toBe(true);
    await expect(queue.submit(async () => 3)).rejects.toMatchObject({ status: 429, code: 'E2V_ERR_ENGINE_QUEUE_FULL', headers: { 'Retry-After': '5' } });
    running.open();
    await expect(Promise.all([first, second])).resolves.toEqual([1, 2]);
  });

  it('should drop a waiting task whose signal fires, and move the others up', async () => {
    const queue = new AnalysisQueue(1, 5);
    const running = gate(1);
    const first = queue.submit(running.task);
    const abort = new AbortController();
    const dropped = queue.submit(async () => 'never', {}, abort.signal);
    const ranks: number[] = [];
    const third = queue.submit(async () => 3, { onRank: (rank) => ranks.push(rank) });
    abort.abort(new Error('client gone'));
    await expect(dropped).rejects.toThrow('client gone');
    expect(ranks).toEqual([1, 0]);
    running.open();
    await expect(Promise.all([first, third])).resolves.toEqual([1, 3]);
  });

  it('should fail waiting tasks and refuse new ones after close, and let running ones finish', async () => {
    const queue = new AnalysisQueue(1, 5);
    const running = gate('done');
    const first = queue.submit(running.task);
    const waiting = queue.submit(async () => 'never');
    queue.close('shutting down');
    await expect(waiting).rejects.toMatchObject({ status: 503, code: 'E2V_ERR_HTTP_SHUTTING_DOWN' });
    await expect(queue.submit(async () => 'x')).rejects.toMatchObject({ status: 503 });
    running.open();
    await expect(first).resolves.toBe('done');
  });
});

describe('AnalysisQueue eta', () => {
  it('should estimate nothing before a task finished, then pass the expected seconds with each rank', async () => {
    const queue = new AnalysisQueue(1, 5);
    expect(queue.eta(0)).toBeNull();
    await queue.submit(() => new Promise((r) => setTimeout(r, 40)));
    const mean = queue.eta(0)!;
    expect(mean).toBeGreaterThan(0.03);
    const running = gate('a');
    const first = queue.submit(running.task);
    const etas: (number | null)[] = [];
    const second = queue.submit(async () => 'b', { onRank: (_rank, _waiting, eta) => etas.push(eta) });
    // rank 0 behind a task that just started: about the rest of it, then its own analysis
    expect(etas).toHaveLength(1);
    expect(etas[0]).toBeGreaterThan(mean * 1.5);
    expect(etas[0]).toBeLessThanOrEqual(mean * 2 + 0.002); // (both rounded to ms)
    expect(queue.eta(1)).toBeGreaterThan(etas[0]!);
    running.open();
    await expect(Promise.all([first, second])).resolves.toEqual(['a', 'b']);
  });

  it('should not count failed tasks in the estimate', async () => {
    const queue = new AnalysisQueue(1, 5);
    await expect(queue.submit(() => Promise.reject(new Error('bad audio')))).rejects.toThrow('bad audio');
    expect(queue.eta(0)).toBeNull();
  });
});

describe('AnalysisQueue reservations', () => {
  it('should count held places as taken, so a burst of joins cannot overfill the queue', async () => {
    const queue = new AnalysisQueue(1, 1);
    const first = queue.reserve();
    const second = queue.reserve();
    expect(queue.full).toBe(true);
    expect(() => queue.reserve()).toThrow(expect.objectContaining({ status: 429 }) as Error);
    await expect(queue.submit(async () => 'x')).rejects.toMatchObject({ status: 429 });
    const running = gate('a');
    const a = queue.submit(running.task, {}, undefined, first);
    const b = queue.submit(async () => 'b', {}, undefined, second);
    expect(queue.active).toBe(1);
    expect(queue.depth).toBe(1);
    running.open();
    await expect(Promise.all([a, b])).resolves.toEqual(['a', 'b']);
    expect(queue.full).toBe(false);
  });

  it('should give a released place back, once', () => {
    const queue = new AnalysisQueue(1, 0);
    const place = queue.reserve();
    expect(queue.full).toBe(true);
    place.release();
    place.release();
    expect(queue.full).toBe(false);
    queue.reserve();
    expect(queue.full).toBe(true);
  });
});
