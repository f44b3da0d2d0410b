import { describe, expect, it } from 'vitest';
import { frameLogEnergies, planSegments } from './segment.js';

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

describe('planSegments', () => {
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

describe('frameLogEnergies', () => {
  it('should be low in the gaps and high in the tone, one value per 10 ms frame', async () => {
    const { energy, shift, length } = await frameLogEnergies(withGaps(2, [[0.5, 1.0]]), RATE);
    expect([shift, length]).toEqual([160, 400]);
    expect(energy.length).toBe(1 + Math.floor((2 * RATE - 400) / 160));
    expect(energy[75]!).toBeLessThan(energy[25]! - 5); // 0.75 s (gap) vs 0.25 s (tone), natural log
  });
});
