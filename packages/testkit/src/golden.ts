/**
 * The golden emotion2vec data (repo root test/fixtures/emotion2vec): paths of the checkpoints and
 * inputs, and the expected outputs of the FunASR reference.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '@e2v/npy';

/** Root of the golden data. */
export const GOLDEN_DIR = fileURLToPath(new URL('../../../test/fixtures/emotion2vec/', import.meta.url));

/** The golden checkpoints. */
export const GOLDEN_CHECKPOINTS = ['tiny-a', 'tiny-b-5class'] as const;
/** One of {@link GOLDEN_CHECKPOINTS}. */
export type GoldenCheckpoint = (typeof GOLDEN_CHECKPOINTS)[number];

/** The golden inputs (file stems of inputs/*.wav). */
export const GOLDEN_INPUTS = [
  'speech_16k_mono',
  'speech_44k1_stereo',
  'speech_8k_mono',
  'long_12s_16k',
  'short_0s3_16k',
  'near_silence_16k',
  'white_noise_16k',
] as const;
/** One of {@link GOLDEN_INPUTS}. */
export type GoldenInput = (typeof GOLDEN_INPUTS)[number];

/** Folder of a golden checkpoint (model.pt, config.yaml, tokens.txt). */
export function checkpointDir(ckpt: GoldenCheckpoint): string {
  return join(GOLDEN_DIR, 'checkpoints', ckpt);
}

/** Path of a golden input WAV file. */
export function goldenInputPath(input: GoldenInput): string {
  return join(GOLDEN_DIR, 'inputs', `${input}.wav`);
}

const FORTRAN_TRUE = Buffer.from("'fortran_order': True, ", 'latin1');
const FORTRAN_FALSE = Buffer.from("'fortran_order': False,", 'latin1');

/**
 * A float32 .npy file as C-order data + shape. Some golden intermediates are saved in Fortran
 * order (numpy transposed views); @e2v/npy reads C order only, so for a 2-D Fortran array the
 * header is read as C order of the reversed shape and the data transposed back.
 * @param path absolute path, or a path relative to {@link GOLDEN_DIR}
 */
export function loadF32(path: string): { data: Float32Array; shape: number[] } {
  const bytes = readFileSync(path.startsWith('/') ? path : join(GOLDEN_DIR, path));
  const flag = bytes.subarray(0, 256).indexOf(FORTRAN_TRUE);
  if (flag >= 0) FORTRAN_FALSE.copy(bytes, flag);
  const npy = readNpy(bytes);
  if (!(npy.data instanceof Float32Array)) throw new TypeError(`${path} is ${npy.dtype}, expected <f4`);
  if (flag < 0) return { data: npy.data, shape: npy.shape };
  if (npy.shape.length !== 2) throw new RangeError(`${path}: only 2-D Fortran-order arrays are handled`);
  const [rows, cols] = npy.shape as [number, number];
  // memory holds [cols, rows] in C order; return [rows, cols] in C order
  const data = new Float32Array(npy.data.length);
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) data[r * cols + c] = npy.data[c * rows + r]!;
  return { data, shape: [rows, cols] };
}

/** Largest |a[i] - b[i]| (Infinity for different lengths or a NaN, so a broken output never passes). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    m = Math.max(m, d);
  }
  return m;
}

/** The fields of expected/<ckpt>/<input>/result.json (FunASR reference run) the tests use. */
export interface GoldenResult {
  labels: string[];
  logits: number[];
  scores: number[];
  masked_logits: (number | null)[];
  masked_scores: number[];
  argmax_label: string;
  num_frames: number;
  num_samples_16k: number;
  embed_dim: number;
  input_sample_rate: number;
  input_channels: number;
  input_frames: number;
}

/** Expected outputs of one checkpoint x input: frame features, embedding and result.json. */
export function goldenExpected(
  ckpt: GoldenCheckpoint,
  input: GoldenInput,
): {
  frames: { data: Float32Array; shape: number[] };
  embedding: Float32Array;
  result: GoldenResult;
} {
  const dir = join(GOLDEN_DIR, 'expected', ckpt, input);
  return {
    frames: loadF32(join(dir, 'frames.npy')),
    embedding: loadF32(join(dir, 'embedding.npy')).data,
    result: JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as GoldenResult,
  };
}
