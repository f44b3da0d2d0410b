import { describe, expect, it } from 'vitest';
import { createRandom, normal, shuffled } from './random.js';

describe('seeded random', () => {
  it('should repeat for a seed and differ between seeds', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const draws = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(draws);
    expect(createRandom(43)()).not.toBe(draws[0]);
    expect(draws.every((d) => d >= 0 && d < 1)).toBe(true);
  });

  it('should shuffle a copy into a permutation', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const out = shuffled(items, createRandom(1));
    expect(out).not.toEqual(items);
    expect([...out].sort((x, y) => x - y)).toEqual(items);
    expect(shuffled(items, createRandom(1))).toEqual(out);
  });

  it('should draw standard normals', () => {
    const random = createRandom(7);
    const xs = Array.from({ length: 20000 }, () => normal(random));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeCloseTo(1, 1);
  });
});
