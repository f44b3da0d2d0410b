import { describe, expect, it } from 'vitest';
import { formatLocalTimestamp, localOffsetMinutes, outputsFolderName, wallClock } from './local-time.js';

/** 2026-12-05 14:30:00.123 UTC. */
const INSTANT = new Date(Date.UTC(2026, 11, 5, 14, 30, 0, 123));

describe('formatLocalTimestamp', () => {
  it.each([
    ['Asia/Shanghai', 480, '2026-12-05T22:30:00.123+08:00', 'outputs_20261205_223000'],
    ['UTC', 0, '2026-12-05T14:30:00.123+00:00', 'outputs_20261205_143000'],
    ['America/New_York (winter)', -300, '2026-12-05T09:30:00.123-05:00', 'outputs_20261205_093000'],
    ['Asia/Kolkata (half hour)', 330, '2026-12-05T20:00:00.123+05:30', 'outputs_20261205_200000'],
    ['America/St_Johns (negative half hour)', -210, '2026-12-05T11:00:00.123-03:30', 'outputs_20261205_110000'],
    ['Asia/Kathmandu (quarter hour)', 345, '2026-12-05T20:15:00.123+05:45', 'outputs_20261205_201500'],
    ['Pacific/Kiritimati (next day)', 840, '2026-12-06T04:30:00.123+14:00', 'outputs_20261206_043000'],
    ['Pacific/Pago_Pago (-11)', -660, '2026-12-05T03:30:00.123-11:00', 'outputs_20261205_033000'],
  ])('should write the local time and offset of %s, and the folder name of the same instant', (_zone, offset, timestamp, folder) => {
    expect(formatLocalTimestamp(INSTANT, offset)).toBe(timestamp);
    expect(outputsFolderName(INSTANT, offset)).toBe(folder);
    // the string names the same instant
    expect(new Date(timestamp).getTime()).toBe(INSTANT.getTime());
  });

  it('should carry across a year boundary', () => {
    const newYear = new Date(Date.UTC(2026, 11, 31, 23, 59, 59, 999));
    expect(formatLocalTimestamp(newYear, 60)).toBe('2027-01-01T00:59:59.999+01:00');
    expect(formatLocalTimestamp(newYear, -60)).toBe('2026-12-31T22:59:59.999-01:00');
  });

  it("should use the process's time zone when no offset is given", () => {
    const offset = localOffsetMinutes(INSTANT);
    expect(formatLocalTimestamp(INSTANT)).toBe(formatLocalTimestamp(INSTANT, offset));
    const local = new Date(2026, 0, 2, 3, 4, 5, 6);
    expect(formatLocalTimestamp(local).slice(0, 23)).toBe('2026-01-02T03:04:05.006');
    expect(outputsFolderName(local)).toBe('outputs_20260102_030405');
    expect(new Date(formatLocalTimestamp(local)).getTime()).toBe(local.getTime());
  });
});

describe('wallClock', () => {
  it('should give the fields at an offset, never a negative zero offset', () => {
    expect(wallClock(INSTANT, -210)).toEqual({ year: 2026, month: 12, day: 5, hour: 11, minute: 0, second: 0, millisecond: 123, offsetMinutes: -210 });
    expect(Object.is(localOffsetMinutes(new Date(0)), -0)).toBe(false);
  });
});
