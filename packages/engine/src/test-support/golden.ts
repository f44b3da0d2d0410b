/**
 * Test helpers (not built into dist): the converted golden models and the golden expected
 * outputs of the reference pipeline (repo root test/fixtures/emotion2vec/expected).
 * @module
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '@e2v/npy';
import { inject } from 'vitest';

const GOLDEN = new URL('../../../../test/fixtures/emotion2vec/', import.meta.url);

/** The golden checkpoints. */
export type GoldenCheckpoint = 'tiny-a' | 'tiny-b-5class';

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
export type GoldenInput = (typeof GOLDEN_INPUTS)[number];

/** Converted model folders made by global-setup.ts. */
export type TestModel = 'tiny-a' | 'tiny-b-5class' | 'tiny-b-5class-masked';

/** Path of a converted test model (read-only: copy it with {@link modelCopy} to change it). */
export function modelDir(name: TestModel): string {
  return join(inject('e2vModels'), name);
}

/** A private, writable copy of a converted test model. */
export async function modelCopy(name: TestModel): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'e2v-engine-model-')), name);
  await cp(modelDir(name), dir, { recursive: true });
  return dir;
}

/** A float32 .npy under the golden folder as data + shape. */
export function goldenNpy(path: string): { data: Float32Array; shape: number[] } {
  const npy = readNpy(new Uint8Array(readFileSync(new URL(path, GOLDEN))));
  if (!(npy.data instanceof Float32Array)) throw new TypeError(`${path} is ${npy.dtype}, expected <f4`);
  return { data: npy.data, shape: npy.shape };
}

/** The fields of expected/<ckpt>/<input>/result.json the tests use. */
export interface GoldenResult {
  labels: string[];
  logits: number[];
  scores: number[];
  masked_scores: number[];
  argmax_label: string;
  num_frames: number;
  num_samples_16k: number;
  embed_dim: number;
  input_sample_rate: number;
  input_channels: number;
  input_frames: number;
}

/** Expected outputs of one checkpoint x input. */
export function goldenExpected(ckpt: GoldenCheckpoint, input: GoldenInput): {
  frames: { data: Float32Array; shape: number[] };
  embedding: Float32Array;
  result: GoldenResult;
} {
  const dir = `expected/${ckpt}/${input}/`;
  return {
    frames: goldenNpy(`${dir}frames.npy`),
    embedding: goldenNpy(`${dir}embedding.npy`).data,
    result: JSON.parse(readFileSync(new URL(`${dir}result.json`, GOLDEN), 'utf8')) as GoldenResult,
  };
}

/** Path of a golden checkpoint folder (model.pt, config.yaml, tokens.txt). */
export function goldenCheckpointDir(ckpt: GoldenCheckpoint): string {
  return new URL(`checkpoints/${ckpt}/`, GOLDEN).pathname;
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
