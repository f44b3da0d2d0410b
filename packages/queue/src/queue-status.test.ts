import { describe, expect, it } from 'vitest';
import { completedPerMinute } from './queue-status.js';

const MIN = 60_000;
const now = 1000 * MIN + 30_000;

describe('completedPerMinute', () => {
  it('should count the current minute from the meta and earlier minutes from the data', () => {
    const metrics = { meta: { count: 17, prevTS: now - 10_000, prevCount: 12 }, data: [4, 0, 3], count: 3 };
    expect(completedPerMinute(metrics, now, 5)).toEqual([5, 4, 0, 3, 0]);
  });

  it('should shift the pending minute back by the minutes without completions since', () => {
    const metrics = { meta: { count: 7, prevTS: now - 2 * MIN, prevCount: 0 }, data: [], count: 0 };
    expect(completedPerMinute(metrics, now, 5)).toEqual([0, 0, 7, 0, 0]);
  });

  it('should give zeros for a queue without metrics', () => {
    expect(completedPerMinute({ meta: { count: 0, prevTS: 0, prevCount: 0 }, data: [], count: 0 }, now, 3)).toEqual([0, 0, 0]);
  });
});
