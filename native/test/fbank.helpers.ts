/**
 * Shared by the fbank tests: golden fixture loading, the README's comparison
 * rules, the frame-count formula and a float64 reference implementation.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '@e2v/npy';
import type { FbankOptions, WindowType } from '../lib/index.js';
import { seededRandom } from './support/random.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const FBANK_FIXTURES = join(HERE, 'fixtures', 'fbank');

/** ln(float32 epsilon) rounded to float32: the value of every bin in digital silence. */
export const LOG_FLOOR = Math.fround(Math.log(2 ** -23));

/** The addon file the tests load (as lib/binding.ts resolves it first). */
export function nativeAddonPath(): string {
  return process.env.E2V_NATIVE_PATH ? resolve(process.env.E2V_NATIVE_PATH) : resolve(HERE, '..', 'build', 'Release', 'e2v_native.node');
}

/** torchaudio keyword arguments as the manifest lists them. */
export interface TorchFbankOptions {
  sample_frequency: number;
  frame_length: number;
  frame_shift: number;
  dither: number;
  preemphasis_coefficient: number;
  remove_dc_offset: boolean;
  window_type: WindowType;
  blackman_coeff: number;
  round_to_power_of_two: boolean;
  num_mel_bins: number;
  low_freq: number;
  high_freq: number;
  use_energy: boolean;
  raw_energy: boolean;
  energy_floor: number;
  snip_edges: boolean;
  use_log_fbank: boolean;
  use_power: boolean;
}

/** One entry of fixtures/fbank/manifest.json `cases`. */
export interface GoldenFbankCase {
  name: string;
  input_npy: string;
  input_num_samples: number;
  options: TorchFbankOptions;
  derived: { window_size: number; window_shift: number; padded_window_size: number; num_frames?: number };
  expected: string | null;
  expected_shape?: [number, number];
  kaldi_semantics?: { num_frames: number; npy?: string };
}

export const fbankManifest = JSON.parse(readFileSync(join(FBANK_FIXTURES, 'manifest.json'), 'utf8')) as {
  cases: GoldenFbankCase[];
};

/** A float32 .npy array of the project's fixtures, with its shape. */
export function loadFixture(relative: string): { data: Float32Array; shape: number[] } {
  const array = readNpy(readFileSync(join(FBANK_FIXTURES, relative)));
  if (!(array.data instanceof Float32Array)) throw new Error(`${relative}: expected float32 data, got ${array.dtype}`);
  return { data: array.data, shape: array.shape };
}

/** The addon's option names for a manifest case (README "Mapping of option names"). */
export function toAddonOptions(o: TorchFbankOptions): FbankOptions {
  return {
    sampleFrequency: o.sample_frequency,
    frameLengthMs: o.frame_length,
    frameShiftMs: o.frame_shift,
    dither: o.dither,
    preemphasisCoefficient: o.preemphasis_coefficient,
    removeDcOffset: o.remove_dc_offset,
    windowType: o.window_type,
    blackmanCoeff: o.blackman_coeff,
    roundToPowerOfTwo: o.round_to_power_of_two,
    numMelBins: o.num_mel_bins,
    lowFreq: o.low_freq,
    highFreq: o.high_freq,
    useEnergy: o.use_energy,
    rawEnergy: o.raw_energy,
    energyFloor: o.energy_floor,
    snipEdges: o.snip_edges,
    useLogFbank: o.use_log_fbank,
    usePower: o.use_power,
  };
}

/** Every option with its default filled in (design.md defaults). */
export type CompleteFbankOptions = Required<Omit<FbankOptions, 'ditherSeed'>>;

export const FBANK_DEFAULTS: CompleteFbankOptions = {
  sampleFrequency: 16000,
  frameLengthMs: 25,
  frameShiftMs: 10,
  dither: 0,
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

/** Window, shift and FFT size in samples, as the README's rules state them. */
export function geometry(o: CompleteFbankOptions): { window: number; shift: number; padded: number } {
  const window = Math.trunc(o.sampleFrequency * o.frameLengthMs * 0.001);
  const shift = Math.trunc(o.sampleFrequency * o.frameShiftMs * 0.001);
  let padded = window;
  if (o.roundToPowerOfTwo) for (padded = 1; padded < window; padded *= 2);
  return { window, shift, padded };
}

/** Frame count from the README: snip_edges 1 + (n - window) // shift (0 if n < window), else (n + shift // 2) // shift. */
export function expectedFrameCount(n: number, o: CompleteFbankOptions): number {
  const { window, shift } = geometry(o);
  if (o.snipEdges) return n < window ? 0 : 1 + Math.floor((n - window) / shift);
  return Math.floor((n + Math.floor(shift / 2)) / shift);
}

/** First sample of frame `i` (may be negative without snip_edges). */
export function frameStart(i: number, o: CompleteFbankOptions): number {
  const { window, shift } = geometry(o);
  return o.snipEdges ? i * shift : i * shift + Math.floor(shift / 2) - Math.floor(window / 2);
}

/** Sample index after Kaldi's reflection at the edges (-1 -> 0, n -> n - 1, repeatedly). */
export function reflect(index: number, n: number): number {
  let i = index;
  while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - 1 - i;
  return i;
}

/** The largest difference of one kind, where it is, and the two values. */
export interface WorstDifference {
  diff: number;
  frame: number;
  column: number;
  actual: number;
  expected: number;
}

/** Summary of a comparison of log features under the README's rules. */
export interface LogComparison {
  /** Mel values within 10 nats of their frame's largest mel value (tolerance 1e-3). */
  nearMax: WorstDifference;
  /**
   * All mel values more than 1 nat above the floor (tolerance 5e-3), except those whose linear
   * difference is within the `rounding` bound given to {@link compareLogFeatures}.
   */
  all: WorstDifference;
  /** Energy column, when present (tolerance 1e-4). */
  energy: WorstDifference | null;
  /** Mean absolute difference over the compared mel values (tolerance 5e-5). */
  meanAbs: number;
}

function none(): WorstDifference {
  return { diff: 0, frame: -1, column: -1, actual: Number.NaN, expected: Number.NaN };
}

function track(worst: WorstDifference, frame: number, column: number, actual: number, expected: number): void {
  const diff = Math.abs(actual - expected);
  if (!(diff <= worst.diff)) Object.assign(worst, { diff, frame, column, actual, expected });
}

/**
 * Compares log features: `columns` per row, the first one the energy when
 * `energyColumn`. Mel values within 1 nat of the floor are skipped, as the README allows.
 * `rounding(frame, mel)`, when given, bounds the linear error float32 arithmetic may make in a
 * mel energy (e.g. from the reference's `support`); a value whose linear difference is within
 * it is right whatever its log difference (it is rounding noise: an edge bin with a weight of
 * 1e-13 in float64 has one of 1e-6 in float32).
 */
export function compareLogFeatures(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  frames: number,
  columns: number,
  energyColumn: boolean,
  rounding?: (frame: number, mel: number) => number,
): LogComparison {
  const nearMax = none();
  const all = none();
  const energy = energyColumn ? none() : null;
  const first = energyColumn ? 1 : 0;
  let sum = 0;
  let count = 0;
  for (let f = 0; f < frames; f++) {
    const row = f * columns;
    let frameMax = -Infinity;
    for (let c = first; c < columns; c++) frameMax = Math.max(frameMax, expected[row + c]!);
    if (energy) track(energy, f, 0, actual[row]!, expected[row]!);
    for (let c = first; c < columns; c++) {
      const e = expected[row + c]!;
      const a = actual[row + c]!;
      if (e <= LOG_FLOOR + 1) continue;
      const noise = rounding === undefined ? false : Math.abs(Math.exp(a) - Math.exp(e)) <= rounding(f, c - first);
      if (!noise) track(all, f, c, a, e);
      if (e >= frameMax - 10) track(nearMax, f, c, a, e);
      sum += Math.abs(a - e);
      count++;
    }
  }
  return { nearMax, all, energy, meanAbs: count === 0 ? 0 : sum / count };
}

/** Largest |a - b| / (|ref| + 1e-6 max|ref|) over linear features (tolerance 1e-3); equal values differ by 0, also when all are 0. */
export function compareLinearFeatures(actual: ArrayLike<number>, expected: ArrayLike<number>, columns: number): WorstDifference {
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) maxRef = Math.max(maxRef, Math.abs(expected[i]!));
  const worst = none();
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const relative = a === e ? 0 : Math.abs(a - e) / (Math.abs(e) + 1e-6 * maxRef);
    if (!(relative <= worst.diff)) {
      Object.assign(worst, { diff: relative, frame: Math.floor(i / columns), column: i % columns, actual: a, expected: e });
    }
  }
  return worst;
}

/** "frame 12, column 40: got x, expected y (difference d)". */
export function where(w: WorstDifference): string {
  return `frame ${w.frame}, column ${w.column}: got ${w.actual}, expected ${w.expected} (difference ${w.diff.toExponential(3)})`;
}

/** Index of the first value that differs (Object.is), or -1 when the arrays are equal. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** `n` samples of seeded uniform noise in [-amplitude, amplitude). */
export function noise(n: number, seed: number, amplitude = 1000): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * amplitude;
  return out;
}
