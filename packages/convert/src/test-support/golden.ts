/**
 * The golden emotion2vec data (repo root test/fixtures/emotion2vec) for the
 * converter's parity tests: paths, .npy loading, expected outputs.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '@e2v/npy';

/** Root of the golden data. */
export const GOLDEN_DIR = fileURLToPath(new URL('../../../../test/fixtures/emotion2vec/', import.meta.url));

/** The golden checkpoints. */
export const GOLDEN_CHECKPOINTS = ['tiny-a', 'tiny-b-5class'] as const;
export type GoldenCheckpoint = (typeof GOLDEN_CHECKPOINTS)[number];

/** The golden inputs (file stems). */
export const GOLDEN_INPUTS = [
  'speech_16k_mono',
  'speech_44k1_stereo',
  'speech_8k_mono',
  'long_12s_16k',
  'short_0s3_16k',
  'near_silence_16k',
  'white_noise_16k',
] as const;
export type GoldenInput = (typeof GOLDEN_INPUTS)[number];

/** Folder of a golden checkpoint (model.pt, config.yaml, tokens.txt). */
export function checkpointDir(ckpt: GoldenCheckpoint): string {
  return join(GOLDEN_DIR, 'checkpoints', ckpt);
}

const FORTRAN_TRUE = Buffer.from("'fortran_order': True, ", 'latin1');
const FORTRAN_FALSE = Buffer.from("'fortran_order': False,", 'latin1');

/**
 * A float32 .npy file as C-order data + shape. Some golden intermediates are
 * saved in Fortran order (numpy transposed views); @e2v/npy reads C order
 * only, so for a 2-D Fortran array the header is read as C order of the
 * reversed shape and the data transposed back.
 */
export function loadF32(path: string): { data: Float32Array; shape: number[] } {
  const bytes = readFileSync(path);
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

/** The 16 kHz waveform FunASR feeds the model (before its layer norm). */
export function goldenWaveform(input: GoldenInput): Float32Array {
  return loadF32(join(GOLDEN_DIR, 'waveforms', `${input}.16k.npy`)).data;
}

/** The same waveform after FunASR's whole-utterance layer norm. */
export function goldenNormalizedWaveform(input: GoldenInput): Float32Array {
  return loadF32(join(GOLDEN_DIR, 'waveforms', `${input}.16k.normalized.npy`)).data;
}

/** The fields of result.json the tests use. */
export interface GoldenResult {
  labels: string[];
  logits: number[];
  scores: number[];
  masked_logits: (number | null)[];
  masked_scores: number[];
  argmax_label: string;
  num_frames: number;
  embed_dim: number;
}

/** Expected outputs of one checkpoint x input. */
export function goldenExpected(ckpt: GoldenCheckpoint, input: GoldenInput): {
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

/** A per-stage activation of `short_0s3_16k` (see GOLDEN-README "intermediates"). */
export function goldenIntermediate(ckpt: GoldenCheckpoint, name: string): { data: Float32Array; shape: number[] } {
  return loadF32(join(GOLDEN_DIR, 'expected', ckpt, 'short_0s3_16k', 'intermediates', `${name}.npy`));
}
