/**
 * downmix: mono as the mean of the channels (the reference's `waveform.mean(0)`),
 * plus the BAD CALL / EXPECTED FAILURE groups.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binding } from '../lib/binding.js';
import { downmix } from '../lib/index.js';
import { expectError } from './support/expect-error.js';

/** The mean in float64, rounded once to float32. */
function referenceMean(channels: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(channels[0]!.length);
  for (let i = 0; i < out.length; i++) {
    let sum = channels[0]![i]!;
    for (const channel of channels.slice(1)) sum += channel[i]!;
    out[i] = sum / channels.length;
  }
  return out;
}

const float32Channel = (length: number) => fc.float32Array({ minLength: length, maxLength: length, noDefaultInfinity: true, noNaN: true });

describe('downmix', () => {
  it('averages two channels', () => {
    const left = new Float32Array([1, -1, 0.5, 0.25, 3]);
    const right = new Float32Array([3, 1, -0.5, 0.125, -7]);
    expect(Array.from(downmix([left, right]))).toEqual([2, 0, 0, 0.1875, -2]);
  });

  it('averages three channels (sum in float64, rounded once)', () => {
    const a = new Float32Array([0.1, 1, 2]);
    const b = new Float32Array([0.2, 1, 2]);
    const c = new Float32Array([0.3, 1, 2.5]);
    expect(downmix([a, b, c])).toEqual(referenceMean([a, b, c]));
  });

  it('returns a copy of a single channel', () => {
    const x = new Float32Array([0.5, -0, 3.4e38, -1e-45]);
    const y = downmix([x]);
    expect(y).not.toBe(x);
    expect(Buffer.from(y.buffer).equals(Buffer.from(x.buffer))).toBe(true);
  });

  it('handles empty channels', () => {
    expect(downmix([new Float32Array(0), new Float32Array(0)]).length).toBe(0);
  });

  it('does not overflow on full-scale float32 values', () => {
    const big = new Float32Array([3.4e38, -3.4e38]);
    expect(Array.from(downmix([big, big]))).toEqual(Array.from(big));
  });

  it('accepts subarray views', () => {
    const whole = new Float32Array([9, 1, 2, 3, 9]);
    expect(Array.from(downmix([whole.subarray(1, 4), whole.subarray(0, 3)]))).toEqual([5, 1.5, 2.5]);
  });

  it('equals the float64 mean for random channel counts and lengths', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 1500 }).chain((length) => fc.array(float32Channel(length), { minLength: 8, maxLength: 8 })),
        (count, pool) => {
          const channels = pool.slice(0, count);
          expect(downmix(channels)).toEqual(referenceMean(channels));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('BAD CALL - downmix arguments', () => {
  const x = new Float32Array(4);
  it.each([
    ['a Float32Array instead of an array', x, 'TypeError', /Array of Float32Array for channels/],
    ['undefined', undefined, 'TypeError', /channels/],
    ['an object', { 0: x, length: 1 }, 'TypeError', /channels/],
    ['an element that is not a Float32Array', [x, new Float64Array(4)], 'TypeError', /channels\[1\]/],
    ['a number array element', [[0, 1, 2, 3]], 'TypeError', /channels\[0\]/],
    ['no channels', [], 'RangeError', /channels/],
    ['channels of different lengths', [x, new Float32Array(5)], 'RangeError', /channels\[1\] has 5/],
  ] as const)('%s', (_what, channels, name, message) => {
    expectError(() => downmix(channels as unknown as Float32Array[]), name, message);
  });

  it.each([
    ['not an array', () => binding().downmix(x as unknown as Float32Array[]), 'TypeError', /channels/],
    ['no channels', () => binding().downmix([]), 'RangeError', /channels/],
    ['bad element', () => binding().downmix([x, 'x' as unknown as Float32Array]), 'TypeError', /channels\[1\]/],
    ['lengths differ', () => binding().downmix([x, new Float32Array(2)]), 'RangeError', /channels\[1\]/],
  ] as const)('the native function re-checks: %s', (_what, call, name, message) => {
    expectError(call, name, message);
  });
});

describe('EXPECTED FAILURE - downmix of non-finite samples', () => {
  it.each([
    ['NaN', Number.NaN, /channels\[1\]\[2\] is NaN/],
    ['Infinity', Number.POSITIVE_INFINITY, /channels\[1\]\[2\] is Infinity/],
    ['-Infinity', Number.NEGATIVE_INFINITY, /channels\[1\]\[2\] is -Infinity/],
  ] as const)('%s gives a RangeError naming the channel and sample', (_what, value, message) => {
    const left = new Float32Array(5).fill(0.5);
    const right = new Float32Array(5).fill(0.25);
    right[2] = value;
    expectError(() => downmix([left, right]), 'RangeError', message);
    expectError(() => downmix([right]), 'RangeError', /channels\[0\]\[2\]/);
  });

  it('names the first bad channel even when infinities cancel to NaN', () => {
    const a = new Float32Array([0, Number.POSITIVE_INFINITY]);
    const b = new Float32Array([0, Number.NEGATIVE_INFINITY]);
    expectError(() => downmix([a, b]), 'RangeError', /channels\[0\]\[1\] is Infinity/);
  });
});
