/**
 * Frame scores. The head was trained on utterance-pooled features, so a single 20 ms frame is a
 * poor input for it; each frame is scored from the mean of the per-frame logits (the graph's
 * `frame_logits`) over a centred window instead. The head is linear, so that mean equals the head
 * applied to the window's mean feature.
 *
 * Window of frame i: frames i-h .. i+h with h = round(windowS * rate / 2) (51 frames for the
 * default 1.0 s at 50 frames/s), clipped at both ends of the input; windowS 0 scores each frame
 * on its own.
 * @module
 */
import { softmax } from './scores.js';

/** h: frames on each side of the centre for a window of `windowS` seconds at `rate` frames/s. */
export function halfWindowFrames(windowS: number, rate: number): number {
  return Math.round((windowS * rate) / 2);
}

/**
 * Softmax of the window-pooled logits of every frame.
 * @param logits per-frame logits, [T, C] row-major (masked labels may be -Infinity: the window
 *   sums of their columns are not used)
 * @param count T
 * @param labels C
 * @param half h (see the module docs)
 * @param masked label indices forced to -Infinity (probability 0), as the graph does
 * @returns T rows of C probabilities
 */
export function pooledFrameScores(logits: Float32Array, count: number, labels: number, half: number, masked: readonly number[]): number[][] {
  const C = labels;
  const prefix = new Float64Array((count + 1) * C);
  for (let t = 0; t < count; t++) {
    for (let c = 0; c < C; c++) prefix[(t + 1) * C + c] = prefix[t * C + c]! + logits[t * C + c]!;
  }
  const rows: number[][] = [];
  const mean = new Float64Array(C);
  for (let i = 0; i < count; i++) {
    const lo = Math.max(0, i - half);
    const hi = Math.min(count - 1, i + half);
    const n = hi - lo + 1;
    for (let c = 0; c < C; c++) mean[c] = (prefix[(hi + 1) * C + c]! - prefix[lo * C + c]!) / n;
    for (const m of masked) mean[m] = Number.NEGATIVE_INFINITY;
    rows.push(Array.from(softmax(mean)));
  }
  return rows;
}
