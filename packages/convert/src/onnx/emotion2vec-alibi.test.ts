import { describe, expect, it } from 'vitest';
import { alibiSlopes } from './emotion2vec-alibi.js';

describe('alibiSlopes', () => {
  it('should give the geometric slopes 2^(-8i/n) for a power-of-two head count', () => {
    expect(Array.from(alibiSlopes(4))).toEqual([0.25, 0.0625, 0.015625, 0.00390625]);
    const s16 = alibiSlopes(16);
    expect(s16[0]).toBe(Math.fround(Math.SQRT1_2));
    expect(s16[15]).toBe(2 ** -8);
  });

  it('should interleave the next power of two for other head counts, as fairseq does', () => {
    expect(Array.from(alibiSlopes(6))).toEqual([0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125]);
  });
});
