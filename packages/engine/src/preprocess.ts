/**
 * The model-side pre-processing of the emotion2vec+ reference: a layer norm over the whole
 * utterance (`F.layer_norm(x, x.shape)`: biased variance, eps from model.json (1e-5), no affine),
 * applied per utterance (per segment for long audio) when model.json says `normalize`.
 * @module
 */

/**
 * [sync] Whole-utterance layer norm, statistics accumulated in float64, result rounded once to float32.
 * @param samples the utterance (not modified)
 * @param eps added to the variance (model.json `normalizeEps`)
 * @returns a new array `(x - mean) / sqrt(var + eps)`
 * @example
 * const input = layerNormUtterance(samples16k, 1e-5);
 */
export function layerNormUtterance(samples: Float32Array, eps: number): Float32Array {
  const n = samples.length;
  if (n === 0) return new Float32Array(0);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += samples[i]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = samples[i]! - mean;
    sq += d * d;
  }
  const inv = 1 / Math.sqrt(sq / n + eps);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (samples[i]! - mean) * inv;
  return out;
}

/** Index of the first NaN or ±Infinity in `samples`, or -1. */
export function firstNonFinite(samples: Float32Array): number {
  for (let i = 0; i < samples.length; i++) if (!Number.isFinite(samples[i]!)) return i;
  return -1;
}
