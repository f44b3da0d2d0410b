import { describe, expect, it } from 'vitest';
import { SeededRandom } from './random.js';

describe('SeededRandom', () => {
  it('should repeat a sequence for the same seed and stream, and differ otherwise', () => {
    const draw = (seed: number, stream: number): number[] => {
      const random = new SeededRandom(seed, stream);
      return Array.from({ length: 8 }, () => random.uniform());
    };
    expect(draw(7, 3)).toEqual(draw(7, 3));
    expect(draw(7, 3)).not.toEqual(draw(7, 4));
    expect(draw(7, 3)).not.toEqual(draw(8, 3));
  });

  it('should draw uniform values in [low, high) and normal values with the requested moments', () => {
    const random = new SeededRandom(1);
    const uniform = random.fillUniform(new Float32Array(20000), 0.3, 1.8);
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0.3);
    expect(Math.max(...uniform)).toBeLessThan(1.8);
    expect(uniform.reduce((a, b) => a + b, 0) / uniform.length).toBeCloseTo(1.05, 1);
    const normal = random.fillNormal(new Float32Array(20000), 2, 0.5);
    const mean = normal.reduce((a, b) => a + b, 0) / normal.length;
    const std = Math.sqrt(normal.reduce((a, b) => a + (b - mean) ** 2, 0) / normal.length);
    expect(Math.abs(mean - 2)).toBeLessThan(0.02);
    expect(Math.abs(std - 0.5)).toBeLessThan(0.02);
    expect(normal.every(Number.isFinite)).toBe(true);
  });
});
