import { describe, expect, it } from 'vitest';
import { frameLogEnergies, SegmentPlanner, type Segment } from './segment.js';

const RATE = 16000;

/** `seconds` of a loud tone with noise, silent (faint noise only) in the given [start, end) gaps. */
function withGaps(seconds: number, gaps: [number, number][]): Float32Array {
  const x = new Float32Array(seconds * RATE);
  let seed = 7;
  for (let i = 0; i < x.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = (seed / 2 ** 32 - 0.5) * 1e-3;
    const t = i / RATE;
    const quiet = gaps.some(([a, b]) => t >= a && t < b);
    x[i] = noise + (quiet ? 0 : 0.3 * Math.sin(2 * Math.PI * 180 * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t)));
  }
  return x;
}

/** Every segment of a whole input known at once. */
async function planSegments(samples: Float32Array, rate: number, maxSegmentS: number): Promise<Segment[]> {
  const planner = new SegmentPlanner(rate, maxSegmentS);
  const segments: Segment[] = [];
  for (let start = 0; start < samples.length; ) {
    const end = (await planner.segmentEnd(samples.subarray(start), start, start, true))!;
    segments.push({ start, end });
    start = end;
  }
  return segments;
}

/** The segments found while the input arrives in chunks of the given sizes (cycled), keeping only unplanned samples. */
async function planStreaming(samples: Float32Array, rate: number, maxSegmentS: number, chunkSizes: number[]): Promise<Segment[]> {
  const planner = new SegmentPlanner(rate, maxSegmentS);
  const segments: Segment[] = [];
  let start = 0;
  let received = 0;
  const next = async (ended: boolean): Promise<boolean> => {
    if (start >= received) return false;
    const end = await planner.segmentEnd(samples.subarray(start, received), start, start, ended);
    if (end === undefined) return false;
    segments.push({ start, end });
    start = end;
    return true;
  };
  for (let i = 0; received < samples.length; i++) {
    received = Math.min(samples.length, received + chunkSizes[i % chunkSizes.length]!);
    while (await next(false));
  }
  while (await next(true));
  return segments;
}

describe('SegmentPlanner', () => {
  it('should return one segment for an input no longer than the maximum', async () => {
    expect(await planSegments(new Float32Array(4 * RATE), RATE, 4)).toEqual([{ start: 0, end: 4 * RATE }]);
  });

  it('should cut inside the silent gaps', async () => {
    const gaps: [number, number][] = [
      [3.1, 3.5],
      [6.0, 6.4],
      [9.2, 9.6],
    ];
    const segments = await planSegments(withGaps(12, gaps), RATE, 4);
    expect(segments.length).toBe(4);
    for (let i = 0; i < segments.length - 1; i++) {
      const cut = segments[i]!.end / RATE;
      const [a, b] = gaps[i]!;
      expect(cut).toBeGreaterThanOrEqual(a);
      expect(cut).toBeLessThanOrEqual(b);
    }
  });

  it('should keep every segment between half the maximum and the maximum, covering the input', async () => {
    // no quiet place at all: cuts still respect the limits
    const x = withGaps(31, []);
    for (const max of [4, 5.5, 10]) {
      const segments = await planSegments(x, RATE, max);
      expect(segments[0]!.start).toBe(0);
      expect(segments.at(-1)!.end).toBe(x.length);
      segments.forEach((s, i) => {
        expect(s.end - s.start).toBeLessThanOrEqual(Math.floor(max * RATE));
        expect(s.end - s.start).toBeGreaterThanOrEqual(Math.ceil((max * RATE) / 2));
        if (i > 0) expect(s.start).toBe(segments[i - 1]!.end);
      });
    }
  });

  it('should not leave a sliver at the end', async () => {
    // 8.05 s with max 4: a greedy 4 + 4 + 0.05 split is not allowed
    const segments = await planSegments(withGaps(8.05, []), RATE, 4);
    expect(Math.min(...segments.map((s) => s.end - s.start))).toBeGreaterThanOrEqual(2 * RATE);
  });
});

describe('SegmentPlanner while the input streams in', () => {
  it('should cut exactly where it cuts the whole input, for any chunking', async () => {
    const x = withGaps(40, [
      [3.1, 3.5],
      [6.0, 6.4],
      [9.2, 9.6],
      [21, 21.3],
      [33.3, 33.9],
    ]);
    const whole = await planSegments(x, RATE, 4);
    expect(whole.length).toBeGreaterThan(8);
    for (const sizes of [[x.length], [RATE], [12_345, 777, 160_000], [3 * RATE + 17]]) {
      expect(await planStreaming(x, RATE, 4, sizes), `chunks of ${sizes.join(', ')}`).toEqual(whole);
    }
    expect(await planStreaming(x.subarray(0, 10 * RATE), RATE, 4, [401, 999])).toEqual(await planSegments(x.subarray(0, 10 * RATE), RATE, 4));
  });

  it('should decide a cut once lookahead samples past the start have arrived, not before', async () => {
    const planner = new SegmentPlanner(RATE, 4);
    const x = withGaps(12, [[3.1, 3.5]]);
    expect(planner.lookahead).toBe(4 * RATE + 2 * RATE + 11 * 160 + 400);
    expect(await planner.segmentEnd(x.subarray(0, planner.lookahead - 1), 0, 0, false)).toBeUndefined();
    const cut = await planner.segmentEnd(x.subarray(0, planner.lookahead), 0, 0, false);
    expect(cut! / RATE).toBeGreaterThanOrEqual(3.1);
    expect(cut! / RATE).toBeLessThanOrEqual(3.5);
  });

  it('should refuse a start outside the buffer', async () => {
    const planner = new SegmentPlanner(RATE, 4);
    await expect(planner.segmentEnd(new Float32Array(100), 50, 10, true)).rejects.toThrow(RangeError);
  });
});

describe('frameLogEnergies', () => {
  it('should be low in the gaps and high in the tone, one value per 10 ms frame', async () => {
    const energy = await frameLogEnergies(withGaps(2, [[0.5, 1.0]]), RATE);
    expect(energy.length).toBe(1 + Math.floor((2 * RATE - 400) / 160));
    expect(energy[75]!).toBeLessThan(energy[25]! - 5); // 0.75 s (gap) vs 0.25 s (tone), natural log
  });
});
