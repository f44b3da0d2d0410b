/**
 * Long-audio segmentation. Attention memory and time grow with the square of the input length,
 * so inputs longer than `maxSegmentS` are cut into segments of at most that length, at the
 * quietest points: Kaldi log frame energies from the native fbank (25 ms frames every 10 ms,
 * column 0 with `useEnergy`), smoothed over ±100 ms, and each cut placed at the minimum of the
 * smoothed energy within the allowed range.
 *
 * Rules: every segment is at most `maxSegmentS` long and at least half of it (so no segment is
 * a sliver: the allowed range for a cut starts half a maximum after the previous cut and leaves
 * at least half a maximum after it); ties go to the later frame (fewer segments).
 *
 * Streaming: each cut depends only on the samples around its allowed range, so {@link
 * SegmentPlanner} decides it as soon as {@link SegmentPlanner.lookahead} samples past the
 * segment's start have arrived, and gives the same cuts for any chunking of the input.
 * @module
 */
import { fbankAsync } from '@e2v/native';

/** A piece of the input, in samples: [start, end). */
export interface Segment {
  start: number;
  end: number;
}

/** Energy analysis frames: 25 ms windows every 10 ms (Kaldi defaults). */
const FRAME_LENGTH_MS = 25;
const FRAME_SHIFT_MS = 10;
/** Frames on each side in the energy smoothing (±100 ms). */
const SMOOTH_FRAMES = 10;

/**
 * [async] Raw log energy of each 25 ms frame every 10 ms of `samples` (Kaldi frames with
 * `snipEdges`: frame f covers samples [f * shift, f * shift + length)).
 */
export async function frameLogEnergies(samples: Float32Array, sampleRate: number): Promise<Float64Array> {
  const { data, frames, bins } = await fbankAsync(samples, {
    sampleFrequency: sampleRate,
    frameLengthMs: FRAME_LENGTH_MS,
    frameShiftMs: FRAME_SHIFT_MS,
    useEnergy: true,
    rawEnergy: true,
    energyFloor: 0,
    numMelBins: 1,
    dither: 0,
    snipEdges: true,
  });
  const energy = new Float64Array(frames);
  for (let f = 0; f < frames; f++) energy[f] = data[f * bins]!;
  return energy;
}

/** Decides where each segment of an input ends, from the samples around the cut. */
export class SegmentPlanner {
  /** Longest segment, in samples. */
  readonly max: number;
  /** Shortest segment (unless the whole input is shorter), in samples. */
  readonly min: number;
  /** Energy frame hop and length, in samples. */
  private readonly shift: number;
  private readonly length: number;

  /**
   * @param sampleRate the input's rate
   * @param maxSegmentS longest segment in seconds (at least 0.5)
   */
  constructor(
    private readonly sampleRate: number,
    maxSegmentS: number,
  ) {
    this.max = Math.floor(maxSegmentS * sampleRate);
    this.min = Math.ceil(this.max / 2);
    this.shift = Math.trunc((sampleRate * FRAME_SHIFT_MS) / 1000);
    this.length = Math.trunc((sampleRate * FRAME_LENGTH_MS) / 1000);
  }

  /** Samples past a segment's start after which its end is decided without knowing the input's end. */
  get lookahead(): number {
    return this.max + this.min + (SMOOTH_FRAMES + 1) * this.shift + this.length;
  }

  /**
   * [async] Where the segment starting at `start` ends.
   * @param buffer samples [bufferStart, bufferStart + buffer.length) of the input; bufferStart <= start
   * @param ended true when the buffer reaches the end of the input
   * @returns the end (exclusive), or undefined while fewer than {@link lookahead} samples past
   *   `start` are known and the input has not ended
   */
  async segmentEnd(buffer: Float32Array, bufferStart: number, start: number, ended: boolean): Promise<number | undefined> {
    const end = bufferStart + buffer.length;
    if (bufferStart > start || start >= end) throw new RangeError(`segmentEnd: start ${start} outside the buffer [${bufferStart}, ${end})`);
    if (end - start <= this.max && ended) return end;
    if (end - start < this.lookahead && !ended) return undefined;
    const { shift, length } = this;
    const half = Math.floor(length / 2);
    const lo = start + this.min;
    const hi = ended ? Math.min(start + this.max, end - this.min) : start + this.max;
    // energy frames of the whole input (unbounded while it has not ended)
    const frames = ended ? (end >= length ? 1 + Math.floor((end - length) / shift) : 0) : Number.POSITIVE_INFINITY;
    // frames whose centre lies in [lo, hi]
    const fLo = Math.max(0, Math.ceil((lo - half) / shift));
    const fHi = Math.min(frames - 1, Math.floor((hi - half) / shift));
    if (fLo > fHi) return hi;
    const first = Math.max(0, fLo - SMOOTH_FRAMES);
    const last = Math.min(frames - 1, fHi + SMOOTH_FRAMES);
    const raw = await frameLogEnergies(buffer.subarray(first * shift - bufferStart, last * shift + length - bufferStart), this.sampleRate);
    const smoothed = (f: number): number => {
      const a = Math.max(first, f - SMOOTH_FRAMES);
      const b = Math.min(last, f + SMOOTH_FRAMES);
      let sum = 0;
      for (let g = a; g <= b; g++) sum += raw[g - first]!;
      return sum / (b - a + 1);
    };
    let best = fLo;
    let bestEnergy = smoothed(fLo);
    for (let f = fLo + 1; f <= fHi; f++) {
      const e = smoothed(f);
      if (e <= bestEnergy) {
        best = f;
        bestEnergy = e;
      }
    }
    return best * shift + half;
  }
}
