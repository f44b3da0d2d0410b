/**
 * Local wall-clock time, the one clock of an analysis: a Result's `timestamp` (ISO 8601 with the
 * UTC offset, e.g. `2026-12-05T22:30:00.123+08:00`) and its `outputs_YYYYMMDD_HHMMSS` folder
 * name are both read from one `Date` through {@link wallClock}, so they always agree. The offset
 * is the process's time zone at that instant (`TZ`, daylight saving included) unless one is given.
 * @module
 */

/** The fields of a local time. */
export interface WallClock {
  year: number;
  /** 1..12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC (+480 in Asia/Shanghai, -300 in New York in winter, +330 in India). */
  offsetMinutes: number;
}

/** Minutes east of UTC of the process's time zone at `date`. */
export function localOffsetMinutes(date: Date): number {
  return -date.getTimezoneOffset() || 0; // never -0
}

/**
 * The wall-clock fields of `date` at a UTC offset.
 * @param offsetMinutes minutes east of UTC; the process's time zone at `date` when absent
 */
export function wallClock(date: Date, offsetMinutes = localOffsetMinutes(date)): WallClock {
  const shifted = new Date(date.getTime() + offsetMinutes * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    millisecond: shifted.getUTCMilliseconds(),
    offsetMinutes,
  };
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/**
 * ISO 8601 local time with milliseconds and the UTC offset, `YYYY-MM-DDTHH:MM:SS.mmm+HH:MM`
 * (`+00:00` at UTC, never `Z`, which Python before 3.11 cannot parse with `fromisoformat`).
 * @param offsetMinutes minutes east of UTC; the process's time zone at `date` when absent
 * @example
 * formatLocalTimestamp(new Date('2026-12-05T14:30:00.123Z'), 480); // '2026-12-05T22:30:00.123+08:00'
 */
export function formatLocalTimestamp(date: Date, offsetMinutes?: number): string {
  const t = wallClock(date, offsetMinutes);
  const sign = t.offsetMinutes < 0 ? '-' : '+';
  const offset = Math.abs(t.offsetMinutes);
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}.${pad(t.millisecond, 3)}${sign}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
}

/**
 * `outputs_YYYYMMDD_HHMMSS` for the local time of `date`.
 * @param offsetMinutes minutes east of UTC; the process's time zone at `date` when absent
 */
export function outputsFolderName(date: Date, offsetMinutes?: number): string {
  const t = wallClock(date, offsetMinutes);
  return `outputs_${pad(t.year, 4)}${pad(t.month)}${pad(t.day)}_${pad(t.hour)}${pad(t.minute)}${pad(t.second)}`;
}
