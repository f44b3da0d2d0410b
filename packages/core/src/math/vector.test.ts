import { describe, expect, it } from 'vitest';
import { checkPoints, cosineSimilarity, dot, squaredDistance } from './vector.js';

describe('vector math', () => {
  it('should compute cosine similarity with known answers', () => {
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 2], [-1, -2])).toBeCloseTo(-1, 12);
    expect(cosineSimilarity(new Float32Array([1, 0]), [1, 1])).toBeCloseTo(Math.SQRT1_2, 7);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
  });

  it('should compute dot products and squared distances', () => {
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
    expect(squaredDistance([0, 0], [3, 4])).toBe(25);
  });

  it('should reject vectors of different lengths, and bad point sets', () => {
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(RangeError);
    expect(() => checkPoints([])).toThrow(/at least one/);
    expect(() => checkPoints([[1, 2], [1]])).toThrow(/points\[1\] has 1/);
    expect(() => checkPoints([[1, NaN]])).toThrow(/points\[0\]\[1\] is not finite/);
  });
});
