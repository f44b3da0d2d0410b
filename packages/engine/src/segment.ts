/**
 * Long-audio segmentation. Attention memory and time grow with the square of the input length,
 * so inputs longer than `maxSegmentS` are cut into segments of at most that length, at the
 * quietest points: Kaldi log frame energies from the native fbank (25 ms frames every 10 ms,
 * column 0 with `useEnergy`), smoothed over ~210 ms, and each cut placed at the minimum of the
 * smoothed energy within the allowed range.
 *
 * Rules: every segment is at most `maxSegmentS` long and at least half of it (so no segment is
 * a sliver: the allowed range for a cut starts half a maximum after the previous cut and leaves
 * at least half a maximum after it); ties go to the later frame (fewer segments).
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
 * Smoothed log energy of each 10 ms frame (moving average over ±{@link SMOOTH_FRAMES}).
 * @returns the energies and the frame geometry in samples
 */
export async function frameLogEnergies(samples: Float32Array, sampleRate: number): Promise<{ energy: Float64Array; shift: number; length: number }> {
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
  const raw = new Float64Array(frames);
  for (let f = 0; f < frames; f++) raw[f] = data[f * bins]!;
  const prefix = new Float64Array(frames + 1);
  for (let f = 0; f < frames; f++) prefix[f + 1] = prefix[f]! + raw[f]!;
  const energy = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    const lo = Math.max(0, f - SMOOTH_FRAMES);
    const hi = Math.min(frames - 1, f + SMOOTH_FRAMES);
    energy[f] = (prefix[hi + 1]! - prefix[lo]!) / (hi - lo + 1);
  }
  return {
    energy,
    shift: Math.trunc((sampleRate * FRAME_SHIFT_MS) / 1000),
    length: Math.trunc((sampleRate * FRAME_LENGTH_MS) / 1000),
  };
}

/**
 * [async] Splits an input into segments of at most `maxSegmentS` seconds at low-energy points
 * (see the module docs). An input no longer than the maximum is one segment.
 * @param samples mono samples
 * @param sampleRate their rate
 * @param maxSegmentS longest segment in seconds
 * @returns segments covering the input in order, without gaps or overlap
 */
export async function planSegments(samples: Float32Array, sampleRate: number, maxSegmentS: number): Promise<Segment[]> {
  const n = samples.length;
  const max = Math.floor(maxSegmentS * sampleRate);
  if (n <= max) return [{ start: 0, end: n }];
  const min = Math.ceil(max / 2);
  const { energy, shift, length } = await frameLogEnergies(samples, sampleRate);
  const centre = (f: number): number => f * shift + Math.floor(length / 2);
  const segments: Segment[] = [];
  let start = 0;
  while (n - start > max) {
    const lo = start + min;
    const hi = Math.min(start + max, n - min);
    // frames whose centre lies in [lo, hi]
    const fLo = Math.max(0, Math.ceil((lo - Math.floor(length / 2)) / shift));
    const fHi = Math.min(energy.length - 1, Math.floor((hi - Math.floor(length / 2)) / shift));
    let cut = hi;
    if (fLo <= fHi) {
      let best = fLo;
      for (let f = fLo + 1; f <= fHi; f++) if (energy[f]! <= energy[best]!) best = f;
      cut = centre(best);
    }
    segments.push({ start, end: cut });
    start = cut;
  }
  segments.push({ start, end: n });
  return segments;
}
