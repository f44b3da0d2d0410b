/**
 * Sample-rate conversion: `resample` [sync], `resampleAsync` [async] and the
 * streaming `Resampler`. The default quality, `'parity'`, gives the results of
 * `torchaudio.functional.resample` with its defaults (what the reference
 * emotion2vec pipeline feeds the model); `'vhq'` is a Kaiser-windowed sinc
 * with >= 140 dB alias rejection for callers that do not need parity.
 * @module
 */
import { binding, type Binding } from './binding.js';
import { expectFloat32Array, expectOneOf, expectOptionsObject, expectSampleRate } from './validate.js';

/**
 * Filter design.
 * - `'parity'`: torchaudio's Hann-windowed sinc (lowpass_filter_width 6,
 *   rolloff 0.99), same results as `torchaudio.functional.resample`.
 * - `'vhq'`: Kaiser-windowed sinc, passband flat within 0.01 dB up to
 *   0.45 x the lower rate, >= 140 dB rejection from 0.5 x the lower rate up.
 */
export type ResampleQuality = 'parity' | 'vhq';

/** Options of `resample`, `resampleAsync` and `Resampler`. */
export interface ResampleOptions {
  /** Filter design; default `'parity'`. */
  quality?: ResampleQuality;
}

const QUALITIES: readonly ResampleQuality[] = ['parity', 'vhq'];
const OPTION_NAMES: readonly (keyof ResampleOptions)[] = ['quality'];

/** Longest output accepted, in samples (4 GiB of float32). */
const MAX_OUTPUT_SAMPLES = 2 ** 30;

/** Checks the options object and returns the quality with its default filled in. */
function qualityOf(options: unknown): Binding.RawQuality {
  const checked = expectOptionsObject('options', options, OPTION_NAMES);
  if (checked.quality === undefined) return 'parity';
  expectOneOf('options.quality', checked.quality, QUALITIES);
  return checked.quality;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Number of output samples for `length` inputs: ceil(length * toHz / fromHz),
 * with the ratio reduced first (torchaudio's rule). Exact for every accepted
 * input (all products stay below 2^53).
 */
function outputLength(length: number, fromHz: number, toHz: number): number {
  const g = gcd(fromHz, toHz);
  const o = fromHz / g;
  const numerator = length * (toHz / g) + o - 1;
  let q = Math.floor(numerator / o);
  if (q * o > numerator) q -= 1;
  else if ((q + 1) * o <= numerator) q += 1;
  return q;
}

/** Validates one-shot arguments; returns the quality. */
function checkOneShot(samples: unknown, fromHz: unknown, toHz: unknown, options: unknown): Binding.RawQuality {
  expectFloat32Array('samples', samples);
  expectSampleRate('fromHz', fromHz);
  expectSampleRate('toHz', toHz);
  const quality = qualityOf(options);
  const length = outputLength(samples.length, fromHz, toHz);
  if (length > MAX_OUTPUT_SAMPLES) {
    throw new RangeError(
      `The resampled output would have ${length} samples, more than the limit of ${MAX_OUTPUT_SAMPLES}; pass shorter samples or a lower toHz`,
    );
  }
  return quality;
}

/** Puts the caller's stack (captured before an async native call) on a native error. */
function withCallerStack(error: unknown, caller: Error): unknown {
  if (error instanceof Error && caller.stack !== undefined) {
    const frames = caller.stack.split('\n').slice(1).join('\n');
    error.stack = `${error.name}: ${error.message}\n${frames}`;
  }
  return error;
}

/**
 * [sync] Resamples `samples` from `fromHz` to `toHz`. The output has
 * ceil(samples.length * toHz / fromHz) samples (ratio reduced by the gcd);
 * samples outside the input count as zero; no clipping. When `fromHz === toHz`
 * the result is a copy of the input, bit for bit.
 *
 * Runs on the calling thread (about 20 000x realtime for 44.1 kHz -> 16 kHz
 * with AVX2); use `resampleAsync` for long inputs on a server.
 *
 * @param samples mono samples (finite values)
 * @param fromHz input rate, an integer in [1, 1 000 000]
 * @param toHz output rate, an integer in [1, 1 000 000]
 * @param options `{ quality: 'parity' | 'vhq' }`, default `'parity'`
 * @returns a new Float32Array
 * @throws TypeError when `samples` is not a Float32Array, a rate is not a
 *   number, `options` is not an object or has an unknown key
 * @throws RangeError when a rate is out of range or not an integer, the
 *   quality is unknown, a sample is NaN or infinite (checked natively, with
 *   the index named), or the output would exceed 2^30 samples
 * @example
 * const speech16k = resample(audio44k, 44100, 16000);
 */
export function resample(samples: Float32Array, fromHz: number, toHz: number, options?: ResampleOptions): Float32Array {
  const quality = checkOneShot(samples, fromHz, toHz, options);
  return binding().resample(samples, fromHz, toHz, quality);
}

/**
 * [async] `resample` off the JS thread (a libuv worker). Same arguments and
 * result. The samples are copied before the call returns, so the caller may
 * reuse or transfer their buffer at once.
 *
 * @param samples mono samples (finite values)
 * @param fromHz input rate, an integer in [1, 1 000 000]
 * @param toHz output rate, an integer in [1, 1 000 000]
 * @param options `{ quality: 'parity' | 'vhq' }`, default `'parity'`
 * @returns a promise of a new Float32Array
 * @throws (rejects with) the errors `resample` throws
 * @example
 * const speech16k = await resampleAsync(audio48k, 48000, 16000, { quality: 'vhq' });
 */
export async function resampleAsync(samples: Float32Array, fromHz: number, toHz: number, options?: ResampleOptions): Promise<Float32Array> {
  const quality = checkOneShot(samples, fromHz, toHz, options);
  const caller = new Error();
  try {
    return await binding().resampleAsync(samples, fromHz, toHz, quality);
  } catch (error) {
    throw withCallerStack(error, caller);
  }
}

/**
 * Streaming resampler: feed chunks with `process`, end with `flush`. The
 * concatenated outputs of any chunking plus `flush()` equal
 * `resample(wholeSignal, fromHz, toHz, options)` exactly (same length,
 * ceil(N * toHz / fromHz)). The filter is designed once per instance.
 *
 * @example
 * const r = new Resampler(48000, 16000);
 * const parts = chunks.map((c) => r.process(c));
 * parts.push(r.flush());
 */
export class Resampler {
  /** Input rate (Hz). */
  readonly fromHz: number;
  /** Output rate (Hz). */
  readonly toHz: number;
  /** Filter design in use. */
  readonly quality: ResampleQuality;
  readonly #handle: Binding.ResamplerHandle;

  /**
   * @param fromHz input rate, an integer in [1, 1 000 000]
   * @param toHz output rate, an integer in [1, 1 000 000]
   * @param options `{ quality: 'parity' | 'vhq' }`, default `'parity'`
   * @throws TypeError / RangeError for bad rates or options (as `resample`)
   */
  constructor(fromHz: number, toHz: number, options?: ResampleOptions) {
    expectSampleRate('fromHz', fromHz);
    expectSampleRate('toHz', toHz);
    this.quality = qualityOf(options);
    this.fromHz = fromHz;
    this.toHz = toHz;
    this.#handle = binding().resamplerCreate(fromHz, toHz, this.quality);
  }

  /**
   * [sync] Takes the next chunk and returns every output sample that no
   * longer depends on later input (possibly none).
   * @param chunk the next samples (finite values)
   * @returns a new Float32Array
   * @throws TypeError when `chunk` is not a Float32Array
   * @throws RangeError when a sample is NaN or infinite (the state is left unchanged)
   */
  process(chunk: Float32Array): Float32Array {
    expectFloat32Array('chunk', chunk);
    return binding().resamplerProcess(this.#handle, chunk);
  }

  /**
   * [sync] Ends the signal: returns the remaining output samples (later
   * input counts as zero) and resets, so the instance can take a new signal.
   * @returns a new Float32Array
   */
  flush(): Float32Array {
    return binding().resamplerFlush(this.#handle);
  }

  /** [sync] Drops all buffered input and starts afresh. */
  reset(): void {
    binding().resamplerReset(this.#handle);
  }
}
