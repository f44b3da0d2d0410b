import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, openFileLimit, resolveLimits } from './limits.js';

describe('resolveLimits', () => {
  it('should keep connections and streams below the open-file limit by default', () => {
    const limits = resolveLimits();
    expect(limits.maxConnections).toBeLessThan(openFileLimit());
    expect(limits.maxStreams).toBe(Math.floor(limits.maxConnections / 2));
  });

  it('should let the stream cap follow a given connection cap, unless it is given too', () => {
    expect(resolveLimits({ maxConnections: 100 }).maxStreams).toBe(50);
    expect(resolveLimits({ maxConnections: 100, maxStreams: 10 }).maxStreams).toBe(10);
  });

  it('should let the default bytes in flight hold one body of the largest size', () => {
    expect(resolveLimits({ maxUploadBytes: 4 * 1024 ** 3 }).maxUploadBytesInFlight).toBe(4 * 1024 ** 3);
    expect(resolveLimits({ maxUploadBytes: 1024 }).maxUploadBytesInFlight).toBe(DEFAULT_LIMITS.maxUploadBytesInFlight);
    expect(resolveLimits({ maxJsonBytes: 512 * 1024 ** 2 }).maxJsonBytesInFlight).toBe(512 * 1024 ** 2);
  });

  it('should refuse a limit that is not a positive number, naming it', () => {
    expect(() => resolveLimits({ maxStreams: 0 })).toThrow(/limits\.maxStreams/);
    expect(() => resolveLimits({ maxUploadBytes: Number.NaN })).toThrow(RangeError);
  });
});
