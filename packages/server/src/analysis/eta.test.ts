import { describe, expect, it } from 'vitest';
import { AnalysisTimes, NEWEST_TIME_WEIGHT, rankEta } from './eta.js';

describe('AnalysisTimes', () => {
  it('should have no mean before the first analysis, then take the first time as it is', () => {
    const times = new AnalysisTimes();
    expect(times.mean).toBeNull();
    times.record(2);
    expect(times.mean).toBe(2);
  });

  it('should move the mean by the weight of the newest time', () => {
    const times = new AnalysisTimes();
    times.record(2);
    times.record(4);
    expect(times.mean).toBeCloseTo(2 + NEWEST_TIME_WEIGHT * 2, 12);
    for (let i = 0; i < 50; i++) times.record(1);
    expect(times.mean).toBeCloseTo(1, 6); // old times fade out
  });

  it('should ignore times that are not a duration', () => {
    const times = new AnalysisTimes();
    times.record(Number.NaN);
    times.record(-1);
    times.record(Number.POSITIVE_INFINITY);
    expect(times.mean).toBeNull();
  });
});

describe('rankEta', () => {
  it('should be null without a mean', () => {
    expect(rankEta(null, 3, 2, [1, 1])).toBeNull();
  });

  it('should be one analysis when a slot is free', () => {
    expect(rankEta(2, 0, 2, [])).toBe(2);
    expect(rankEta(2, 0, 2, [5])).toBe(2);
  });

  it('should add the rest of the longest-running analysis when every slot is busy', () => {
    expect(rankEta(2, 0, 1, [0.5])).toBe(3.5); // 1.5 until the slot frees, then 2
    expect(rankEta(2, 0, 2, [0.5, 1.5])).toBe(2.5); // the one at 1.5 s frees its slot first
    expect(rankEta(2, 0, 1, [9])).toBe(2); // running longer than the mean: a slot frees any moment
  });

  it('should add rank / slots analyses for the jobs ahead', () => {
    expect(rankEta(2, 3, 1, [0])).toBe(2 + 3 * 2 + 2);
    expect(rankEta(2, 3, 2, [0, 0])).toBe(2 + 1.5 * 2 + 2);
  });

  it('should round to milliseconds', () => {
    expect(rankEta(1 / 3, 0, 1, [])).toBe(0.333);
  });
});
