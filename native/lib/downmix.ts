/**
 * Mono downmix: the mean of the channels, as the reference pipeline does
 * with `waveform.mean(0)`.
 * @module
 */
import { binding } from './binding.js';
import { describe, expectFloat32Array } from './validate.js';

/**
 * [sync] Mixes channels to mono: `out[i]` is the mean of `channels[c][i]` over
 * the channels (summed in float64 and rounded once). One channel gives a copy.
 *
 * @param channels one Float32Array per channel, all of the same length
 * @returns a new Float32Array of that length
 * @throws TypeError when `channels` is not an array or an element is not a Float32Array
 * @throws RangeError when there are no channels, the lengths differ, or a
 *   sample is NaN or infinite (checked natively, with the channel and index named)
 * @example
 * const mono = downmix([left, right]);
 */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (!Array.isArray(channels)) {
    throw new TypeError(`Expected an Array of Float32Array for channels but received ${describe(channels)}`);
  }
  if (channels.length === 0) {
    throw new RangeError('Expected at least one channel in channels but received none');
  }
  channels.forEach((channel: unknown, c) => expectFloat32Array(`channels[${c}]`, channel));
  const length = channels[0]!.length;
  channels.forEach((channel, c) => {
    if (channel.length !== length) {
      throw new RangeError(`Expected channels of equal length but channels[0] has ${length} samples ` + `and channels[${c}] has ${channel.length}`);
    }
  });
  return binding().downmix(channels);
}
