/**
 * Numeric helpers for the converter's tests: FunASR's waveform layer norm,
 * softmax, max abs difference, 2-D transposition.
 * @module
 */

/**
 * Whole-utterance layer norm as FunASR applies it before the model
 * (`F.layer_norm(x, x.shape)`: biased variance, eps 1e-5, no affine),
 * computed in float64 and rounded once.
 */
export function layerNormWaveform(x: Float32Array, eps = 1e-5): Float32Array {
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / x.length;
  let sq = 0;
  for (const v of x) sq += (v - mean) * (v - mean);
  const inv = 1 / Math.sqrt(sq / x.length + eps);
  return x.map((v) => (v - mean) * inv);
}

/** Softmax in float64 (entries at -inf get 0). */
export function softmax(logits: ArrayLike<number>): number[] {
  const values = Array.from(logits);
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Index of the largest value. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Transposes a row-major [rows, cols] matrix. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}
