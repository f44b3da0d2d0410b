import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_DURATION_S, DEFAULT_TIMEOUT_MS } from './decode/limits.js';
import { resolveDecodeOptions } from './options.js';

describe('resolveDecodeOptions', () => {
  it('should fill in the defaults', () => {
    const defaults = { maxBytes: DEFAULT_MAX_BYTES, maxDurationS: DEFAULT_MAX_DURATION_S, timeoutMs: DEFAULT_TIMEOUT_MS };
    expect(resolveDecodeOptions(undefined)).toEqual(defaults);
    expect(resolveDecodeOptions({})).toEqual(defaults);
    expect(resolveDecodeOptions({ maxDurationS: 0.5 })).toEqual({ ...defaults, maxDurationS: 0.5 });
  });

  it('should reject what is not an options object', () => {
    expect(() => resolveDecodeOptions(null)).toThrow(new TypeError('Expected an options object but received null'));
    expect(() => resolveDecodeOptions([])).toThrow(TypeError);
    expect(() => resolveDecodeOptions(5)).toThrow(TypeError);
  });

  it('should name an unknown option', () => {
    expect(() => resolveDecodeOptions({ timeout: 5 })).toThrow(/Unknown option 'timeout'; known options: maxBytes, maxDurationS, timeoutMs/);
  });

  it.each([
    [{ maxBytes: 0 }, RangeError, /maxBytes/],
    [{ maxBytes: 1.5 }, RangeError, /integer .* maxBytes/],
    [{ maxDurationS: -1 }, RangeError, /maxDurationS/],
    [{ maxDurationS: Number.NaN }, RangeError, /maxDurationS/],
    [{ timeoutMs: 2 ** 31 }, RangeError, /timeoutMs/],
    [{ timeoutMs: '100' }, TypeError, /Expected a number for timeoutMs but received a string/],
  ])('should reject %j', (options, type, message) => {
    expect(() => resolveDecodeOptions(options)).toThrow(type);
    expect(() => resolveDecodeOptions(options)).toThrow(message);
  });
});
