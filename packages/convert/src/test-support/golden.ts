/**
 * Converter-only views of the golden emotion2vec data (the shared ones are in @e2v/testkit):
 * the waveforms FunASR fed the model and its per-stage activations.
 * @module
 */
import { join } from 'node:path';
import { GOLDEN_DIR, loadF32, type GoldenCheckpoint, type GoldenInput } from '@e2v/testkit';

/** The 16 kHz waveform FunASR feeds the model (before its layer norm). */
export function goldenWaveform(input: GoldenInput): Float32Array {
  return loadF32(join(GOLDEN_DIR, 'waveforms', `${input}.16k.npy`)).data;
}

/** The same waveform after FunASR's whole-utterance layer norm. */
export function goldenNormalizedWaveform(input: GoldenInput): Float32Array {
  return loadF32(join(GOLDEN_DIR, 'waveforms', `${input}.16k.normalized.npy`)).data;
}

/** A per-stage activation of `short_0s3_16k` (see GOLDEN-README "intermediates"). */
export function goldenIntermediate(ckpt: GoldenCheckpoint, name: string): { data: Float32Array; shape: number[] } {
  return loadF32(join(GOLDEN_DIR, 'expected', ckpt, 'short_0s3_16k', 'intermediates', `${name}.npy`));
}
