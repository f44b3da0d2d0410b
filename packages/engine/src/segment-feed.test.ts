import { describe, expect, it } from 'vitest';
import { SegmentPlanner, type Segment } from './segment.js';
import { SegmentFeed } from './segment-feed.js';

const RATE = 16000;

/** A ramp, so every sample says where it came from. */
function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i / n);
}

describe('SegmentFeed', () => {
  it('should hand on contiguous segments with their own samples, whatever the chunking', async () => {
    const x = ramp(20 * RATE + 123);
    for (const chunk of [x.length, RATE, 7777]) {
      const seen: { segment: Segment; first: number; last: number; length: number }[] = [];
      let mostBuffered = 0;
      const feed = new SegmentFeed(new SegmentPlanner(RATE, 4), async (segment, samples) => {
        seen.push({ segment, first: samples[0]!, last: samples.at(-1)!, length: samples.length });
      });
      for (let at = 0; at < x.length; at += chunk) {
        await feed.push(x.subarray(at, at + chunk));
        mostBuffered = Math.max(mostBuffered, feed.received - (seen.at(-1)?.segment.end ?? 0));
      }
      await feed.end();
      expect(seen[0]!.segment.start).toBe(0);
      expect(seen.at(-1)!.segment.end).toBe(x.length);
      seen.forEach(({ segment, first, last, length }, i) => {
        if (i > 0) expect(segment.start).toBe(seen[i - 1]!.segment.end);
        expect(length).toBe(segment.end - segment.start);
        expect(first).toBe(x[segment.start]);
        expect(last).toBe(x[segment.end - 1]);
      });
      if (chunk < x.length) expect(mostBuffered).toBeLessThanOrEqual(new SegmentPlanner(RATE, 4).lookahead + chunk);
    }
  });

  it('should hand on nothing before the end for an input shorter than the lookahead', async () => {
    const seen: Segment[] = [];
    const feed = new SegmentFeed(new SegmentPlanner(RATE, 4), async (segment) => {
      seen.push(segment);
    });
    await feed.push(ramp(3 * RATE));
    expect(seen).toEqual([]);
    expect(feed.received).toBe(3 * RATE);
    await feed.end();
    expect(seen).toEqual([{ start: 0, end: 3 * RATE }]);
  });

  it("should stop at the consumer's error", async () => {
    const feed = new SegmentFeed(new SegmentPlanner(RATE, 4), async () => {
      throw new RangeError('consumer failed');
    });
    await expect(feed.push(ramp(10 * RATE))).rejects.toThrow('consumer failed');
  });
});
