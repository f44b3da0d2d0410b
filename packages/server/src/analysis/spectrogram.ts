/**
 * The log-mel spectrogram the web UI draws under the frame timeline: Kaldi fbank (native, off
 * the JS thread), 80 mel bins at 100 frames/s, averaged down to at most `maxFrames` columns and
 * quantized to bytes so a minute of audio travels in a few hundred kilobytes.
 * @module
 */
import { fbankAsync } from '@e2v/native';

/** A quantized log-mel spectrogram (the REST `spectrogram` field). */
export interface Spectrogram {
  /** Columns per second after averaging. */
  frame_rate: number;
  /** Mel bins per column (bin 0 = lowest band). */
  bins: number;
  /** Columns. */
  frames: number;
  /** Log-mel value that byte 0 stands for. */
  min: number;
  /** Log-mel value that byte 255 stands for. */
  max: number;
  /** base64 of frames x bins bytes, row-major (one column after another). */
  data: string;
}

const BINS = 80;
const KALDI_FRAME_RATE = 100;

/**
 * Computes the spectrogram of 16 kHz mono samples.
 * @param samples 16 kHz mono audio
 * @param maxFrames most columns (default 2000)
 */
export async function logMelSpectrogram(samples: Float32Array, maxFrames = 2000): Promise<Spectrogram> {
  const features = samples.length >= 400 ? await fbankAsync(samples, { numMelBins: BINS }) : { data: new Float32Array(0), frames: 0 };
  const group = Math.max(1, Math.ceil(features.frames / maxFrames));
  const frames = Math.ceil(features.frames / group);
  const averaged = new Float32Array(frames * BINS);
  for (let column = 0; column < frames; column++) {
    const first = column * group;
    const count = Math.min(group, features.frames - first);
    for (let f = first; f < first + count; f++) {
      for (let b = 0; b < BINS; b++) averaged[column * BINS + b]! += features.data[f * BINS + b]! / count;
    }
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of averaged) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  if (averaged.length === 0) min = max = 0;
  const span = max - min || 1;
  const bytes = new Uint8Array(averaged.length);
  for (let i = 0; i < averaged.length; i++) bytes[i] = Math.round(((averaged[i]! - min) / span) * 255);
  return { frame_rate: KALDI_FRAME_RATE / group, bins: BINS, frames, min, max, data: Buffer.from(bytes).toString('base64') };
}
