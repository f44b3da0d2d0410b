/**
 * Kaldi log mel filterbank features with the results of
 * `torchaudio.compliance.kaldi.fbank`. Options are Kaldi's names in camelCase
 * (docs/design.md); every argument is checked here before the native call.
 * @module
 */
import { binding, type Binding } from './binding.js';
import { MAX_SAMPLE_RATE, describe, expectBoolean, expectFloat32Array, expectNumberInRange, expectOneOf, expectOptionsObject } from './validate.js';

/** Analysis window shapes (Kaldi's `--window-type`). */
export type WindowType = 'povey' | 'hamming' | 'hanning' | 'rectangular' | 'blackman';

/** fbank options; every field is optional and defaults as listed. */
export interface FbankOptions {
  /** Sample rate of `samples` in Hz, in [1, 1e6]. Default 16000. */
  sampleFrequency?: number;
  /** Frame length in ms; the window is `trunc(sampleFrequency * frameLengthMs * 0.001)` samples. Default 25. */
  frameLengthMs?: number;
  /** Frame shift in ms, truncated to samples the same way. Default 10. */
  frameShiftMs?: number;
  /** Standard deviation of Gaussian noise added to each frame sample; non-zero needs `ditherSeed`. Default 0. */
  dither?: number;
  /** Integer seed of the dither noise (same seed, same output); required when `dither` is not 0. */
  ditherSeed?: number;
  /** Pre-emphasis `x[j] -= c * x[j-1]`, in [0, 1]. Default 0.97. */
  preemphasisCoefficient?: number;
  /** Subtract each frame's mean first. Default true. */
  removeDcOffset?: boolean;
  /** Window shape. Default 'povey'. */
  windowType?: WindowType;
  /** Constant of the blackman window, in [0, 1]. Default 0.42. */
  blackmanCoeff?: number;
  /** Zero-pad frames to the next power of two for the FFT; if false the window must be even. Default true. */
  roundToPowerOfTwo?: boolean;
  /** Number of mel filters, at most half the FFT size. Default 80. */
  numMelBins?: number;
  /** Lowest filter edge in Hz, below Nyquist. Default 20. */
  lowFreq?: number;
  /** Highest filter edge in Hz; values <= 0 are offsets from Nyquist. Default 0. */
  highFreq?: number;
  /** Add the log frame energy as column 0. Default false. */
  useEnergy?: boolean;
  /** Energy before pre-emphasis and windowing (with `useEnergy`). Default true. */
  rawEnergy?: boolean;
  /** Energy floor: log energy is at least ln(energyFloor) when > 0 (with `useEnergy`). Default 1. */
  energyFloor?: number;
  /** Only whole frames inside the input; if false, frames are centred and the input is reflected at its edges. Default true. */
  snipEdges?: boolean;
  /** Natural log of the filter outputs (floored at float32 epsilon); if false, linear values. Default true. */
  useLogFbank?: boolean;
  /** Power spectrum; if false, magnitude. Default true. */
  usePower?: boolean;
}

/** Features: `frames` rows of `bins` columns, row-major. */
export interface FbankResult {
  /** frames * bins values. */
  data: Float32Array;
  /** Number of frames (rows). */
  frames: number;
  /** Columns per frame: numMelBins, plus 1 with useEnergy (the energy, in column 0). */
  bins: number;
}

/** Largest window (and FFT size) in samples. */
const MAX_WINDOW = 65536;
/** Largest frame length or shift in ms. */
const MAX_FRAME_MS = 100_000;

const WINDOW_TYPES: readonly WindowType[] = ['povey', 'hamming', 'hanning', 'rectangular', 'blackman'];

const DEFAULTS: Readonly<Binding.RawFbankOptions> = {
  sampleFrequency: 16000,
  frameLengthMs: 25,
  frameShiftMs: 10,
  dither: 0,
  ditherSeed: 0,
  preemphasisCoefficient: 0.97,
  removeDcOffset: true,
  windowType: 'povey',
  blackmanCoeff: 0.42,
  roundToPowerOfTwo: true,
  numMelBins: 80,
  lowFreq: 20,
  highFreq: 0,
  useEnergy: false,
  rawEnergy: true,
  energyFloor: 1,
  snipEdges: true,
  useLogFbank: true,
  usePower: true,
};

const OPTION_NAMES = Object.keys(DEFAULTS);

/** Throws unless `value` is a number in (0, max]. */
function expectPositive(name: string, value: unknown, max: number): asserts value is number {
  expectNumberInRange(name, value, 0, max);
  if (value === 0) throw new RangeError(`Expected a number in (0, ${max}] for ${name} but received 0`);
}

/** Window size, shift and FFT size in samples, computed as torchaudio does (truncating). */
function frameGeometry(o: Binding.RawFbankOptions): { windowSize: number; windowShift: number; paddedWindowSize: number } {
  const windowSize = Math.trunc(o.sampleFrequency * o.frameLengthMs * 0.001);
  const windowShift = Math.trunc(o.sampleFrequency * o.frameShiftMs * 0.001);
  let paddedWindowSize = windowSize;
  if (o.roundToPowerOfTwo) {
    paddedWindowSize = 1;
    while (paddedWindowSize < windowSize) paddedWindowSize *= 2;
  }
  return { windowSize, windowShift, paddedWindowSize };
}

/** Cross-option checks (the same as the native FbankOptions::Validate). */
function checkConsistency(o: Binding.RawFbankOptions): void {
  const { windowSize, windowShift, paddedWindowSize } = frameGeometry(o);
  if (windowSize < 2 || windowSize > MAX_WINDOW) {
    throw new RangeError(
      `frameLengthMs ${o.frameLengthMs} gives a window of ${windowSize} samples at sampleFrequency ` + `${o.sampleFrequency}; expected 2 to ${MAX_WINDOW}`,
    );
  }
  if (windowShift < 1) {
    throw new RangeError(`frameShiftMs ${o.frameShiftMs} gives a shift of 0 samples at sampleFrequency ${o.sampleFrequency}; expected at least 1`);
  }
  if (!o.roundToPowerOfTwo && windowSize % 2 !== 0) {
    throw new RangeError(`frameLengthMs ${o.frameLengthMs} gives an odd window of ${windowSize} samples; with roundToPowerOfTwo false the window must be even`);
  }
  const fftBins = paddedWindowSize / 2;
  if (o.numMelBins > fftBins) {
    throw new RangeError(`numMelBins ${o.numMelBins} exceeds the ${fftBins} FFT bins of a ${paddedWindowSize}-point FFT`);
  }
  const nyquist = 0.5 * o.sampleFrequency;
  if (o.lowFreq >= nyquist) {
    throw new RangeError(`lowFreq ${o.lowFreq} must be below the Nyquist frequency ${nyquist}`);
  }
  const high = o.highFreq > 0 ? o.highFreq : nyquist + o.highFreq;
  if (!(high > 0 && high <= nyquist)) {
    throw new RangeError(`highFreq ${o.highFreq} resolves to ${high} Hz; expected in (0, ${nyquist}] (values <= 0 are offsets from the Nyquist frequency)`);
  }
  if (o.lowFreq >= high) {
    throw new RangeError(`lowFreq ${o.lowFreq} must be below highFreq (${high} Hz)`);
  }
}

/**
 * Fills in defaults and validates every option.
 * @throws TypeError for a non-object, an unknown option or a value of the wrong type
 * @throws RangeError for a value out of range or an inconsistent combination, naming the option
 */
function resolveOptions(options: unknown): Binding.RawFbankOptions {
  const given = expectOptionsObject('options', options, OPTION_NAMES);
  const o: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined) o[key] = value;
  }
  expectNumberInRange('sampleFrequency', o.sampleFrequency, 1, MAX_SAMPLE_RATE);
  expectPositive('frameLengthMs', o.frameLengthMs, MAX_FRAME_MS);
  expectPositive('frameShiftMs', o.frameShiftMs, MAX_FRAME_MS);
  expectNumberInRange('dither', o.dither, 0, 1e6);
  if (o.dither !== 0 && given.ditherSeed === undefined) {
    throw new TypeError(`Expected an integer for ditherSeed (required when dither is not 0) but received ${describe(given.ditherSeed)}`);
  }
  expectNumberInRange('ditherSeed', o.ditherSeed, 0, Number.MAX_SAFE_INTEGER, true);
  expectNumberInRange('preemphasisCoefficient', o.preemphasisCoefficient, 0, 1);
  expectBoolean('removeDcOffset', o.removeDcOffset);
  expectOneOf('windowType', o.windowType, WINDOW_TYPES);
  expectNumberInRange('blackmanCoeff', o.blackmanCoeff, 0, 1);
  expectBoolean('roundToPowerOfTwo', o.roundToPowerOfTwo);
  expectNumberInRange('numMelBins', o.numMelBins, 1, MAX_WINDOW / 2, true);
  expectNumberInRange('lowFreq', o.lowFreq, 0, MAX_SAMPLE_RATE);
  expectNumberInRange('highFreq', o.highFreq, -MAX_SAMPLE_RATE, MAX_SAMPLE_RATE);
  expectBoolean('useEnergy', o.useEnergy);
  expectBoolean('rawEnergy', o.rawEnergy);
  expectNumberInRange('energyFloor', o.energyFloor, 0, 1e30);
  expectBoolean('snipEdges', o.snipEdges);
  expectBoolean('useLogFbank', o.useLogFbank);
  expectBoolean('usePower', o.usePower);
  const raw = o as unknown as Binding.RawFbankOptions;
  checkConsistency(raw);
  return raw;
}

/**
 * Validates both arguments; returns the complete option set for the binding.
 * NaN and infinite samples are found by the addon (the same RangeError as
 * `expectFiniteSamples`, thrown before any work): its vectorized scan costs
 * about 1 µs per second of 16 kHz audio where a JS loop costs about 25 µs,
 * a quarter of the whole computation.
 */
function prepare(samples: unknown, options: unknown): Binding.RawFbankOptions {
  expectFloat32Array('samples', samples);
  return resolveOptions(options);
}

/**
 * [sync] Kaldi fbank features of `samples`, as `torchaudio.compliance.kaldi.fbank`.
 * Samples are used as given (int16-range or [-1, 1) scale alike). Inputs shorter
 * than one frame give 0 frames with `snipEdges`, and Kaldi's reflected frames without.
 * @param samples mono audio at `sampleFrequency`
 * @param options Kaldi options in camelCase (see FbankOptions)
 * @returns `frames` x `bins` features, row-major
 * @throws TypeError if samples is not a Float32Array, an option is unknown or of the wrong type
 * @throws RangeError if a sample is NaN or infinite, or an option is out of range (the message names it)
 * @example
 * const { data, frames, bins } = fbank(pcm16k, { numMelBins: 80 });
 */
export function fbank(samples: Float32Array, options?: FbankOptions): FbankResult {
  const raw = prepare(samples, options);
  return binding().fbank(samples, raw);
}

/**
 * [async] fbank() computed off the JS thread (the input is copied first, so it may
 * be changed while the promise is pending).
 * @param samples mono audio at `sampleFrequency`
 * @param options Kaldi options in camelCase (see FbankOptions)
 * @returns a promise of `frames` x `bins` features, row-major
 * @throws nothing synchronously: the errors of fbank() (TypeError, RangeError) reject the promise
 * @example
 * const { data, frames } = await fbankAsync(longRecording, { useEnergy: true });
 */
export async function fbankAsync(samples: Float32Array, options?: FbankOptions): Promise<FbankResult> {
  const raw = prepare(samples, options);
  return binding().fbankAsync(samples, raw);
}
