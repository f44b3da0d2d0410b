import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate.js';

describe('RateMeter', () => {
  it('should measure bytes per second over the window and derive the ETA', () => {
    const m = new RateMeter(5000);
    expect(m.rate()).toBe(0);
    expect(m.eta(100)).toBeNull();
    m.add(0, 0);
    m.add(1000, 1_000_000);
    m.add(2000, 2_000_000);
    expect(m.rate()).toBe(1_000_000);
    expect(m.eta(10_000_000)).toBe(8);
    expect(m.eta(null)).toBeNull();
  });

  it('should forget samples older than the window', () => {
    const m = new RateMeter(1000);
    m.add(0, 0);
    m.add(500, 5_000_000); // a fast burst
    for (let t = 1000; t <= 10_000; t += 500) m.add(t, 5_000_000 + (t - 500) * 100); // then 100 kB/s
    expect(m.rate()).toBeCloseTo(100_000, -2);
  });

  it('should start over when the byte count goes down (a restarted download)', () => {
    const m = new RateMeter();
    m.add(0, 500);
    m.add(1000, 1500);
    m.add(1100, 0);
    expect(m.rate()).toBe(0);
    m.add(2100, 300);
    expect(m.rate()).toBe(300);
  });

  it('should reject a non-positive window', () => {
    expect(() => new RateMeter(0)).toThrow(RangeError);
  });
});
