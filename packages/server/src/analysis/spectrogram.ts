/**
 * The log-mel spectrogram the web UI draws under the frame timeline: Kaldi fbank (native, off
 * the JS thread), 80 mel bins at 100 frames/s, averaged down to at most `maxFrames` columns and
 * quantized to bytes so a minute of audio travels in a few hundred kilobytes.
 *
 * Built from the audio as the analysis goes ({@link SpectrogramBuilder}, fed by the engine's
 * `onAudio`), so a long input is neither decoded twice nor held whole: columns average `group`
 * fbank frames, and the group doubles (adjacent columns merge) whenever the columns would pass
 * `maxFrames`.
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
/** Kaldi frames at 16 kHz: 25 ms windows every 10 ms. */
const FRAME_LENGTH = 400;
const FRAME_SHIFT = 160;

/** Builds a {@link Spectrogram} from 16 kHz mono audio pushed a piece at a time. */
export class SpectrogramBuilder {
  /** Samples not yet in a frame, starting at the next frame's first sample. */
  #pending = new Float32Array(0);
  /** Per column: the sum of its frames' log-mel values, and how many frames it holds. */
  #sums: Float64Array;
  #counts: Uint32Array;
  #columns = 0;
  #group = 1;

  /** @param maxFrames most columns (default 2000) */
  constructor(private readonly maxFrames = 2000) {
    this.#sums = new Float64Array(maxFrames * BINS);
    this.#counts = new Uint32Array(maxFrames);
  }

  /** [async] Adds the next samples (copied as needed). */
  async push(samples: Float32Array): Promise<void> {
    const buffer = new Float32Array(this.#pending.length + samples.length);
    buffer.set(this.#pending);
    buffer.set(samples, this.#pending.length);
    if (buffer.length < FRAME_LENGTH) {
      this.#pending = buffer;
      return;
    }
    const frames = 1 + Math.floor((buffer.length - FRAME_LENGTH) / FRAME_SHIFT);
    const features = await fbankAsync(buffer.subarray(0, (frames - 1) * FRAME_SHIFT + FRAME_LENGTH), { numMelBins: BINS });
    for (let f = 0; f < features.frames; f++) this.addFrame(features.data.subarray(f * BINS, (f + 1) * BINS));
    this.#pending = buffer.slice(frames * FRAME_SHIFT);
  }

  /** The spectrogram of everything pushed. */
  finish(): Spectrogram {
    const frames = this.#columns;
    const averaged = new Float32Array(frames * BINS);
    for (let column = 0; column < frames; column++) {
      for (let b = 0; b < BINS; b++) averaged[column * BINS + b] = this.#sums[column * BINS + b]! / this.#counts[column]!;
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
    return { frame_rate: KALDI_FRAME_RATE / this.#group, bins: BINS, frames, min, max, data: Buffer.from(bytes).toString('base64') };
  }

  private addFrame(values: Float32Array): void {
    let column = this.#columns - 1;
    if (column < 0 || this.#counts[column] === this.#group) {
      if (this.#columns === this.maxFrames) this.mergePairs();
      column = this.#columns++;
    }
    for (let b = 0; b < BINS; b++) this.#sums[column * BINS + b]! += values[b]!;
    this.#counts[column]! += 1;
  }

  /** Halves the columns: each new one is the sum of two adjacent ones. */
  private mergePairs(): void {
    const merged = Math.ceil(this.#columns / 2);
    for (let c = 0; c < merged; c++) {
      const a = 2 * c;
      const b = 2 * c + 1;
      for (let k = 0; k < BINS; k++) this.#sums[c * BINS + k] = this.#sums[a * BINS + k]! + (b < this.#columns ? this.#sums[b * BINS + k]! : 0);
      this.#counts[c] = this.#counts[a]! + (b < this.#columns ? this.#counts[b]! : 0);
    }
    this.#sums.fill(0, merged * BINS);
    this.#counts.fill(0, merged);
    this.#columns = merged;
    this.#group *= 2;
  }
}
