/**
 * Logits to probabilities: softmax over all labels (labels the graph masked to -inf get 0),
 * and the top label.
 * @module
 */

/**
 * Softmax in float64. Entries at -Infinity get probability 0.
 * @param logits C values (at least one finite)
 * @param offset where the C values start in `logits`
 * @param count C
 */
export function softmax(logits: ArrayLike<number>, offset = 0, count = logits.length - offset): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < count; c++) max = Math.max(max, logits[offset + c]!);
  const out = new Float64Array(count);
  let sum = 0;
  for (let c = 0; c < count; c++) {
    const e = Math.exp(logits[offset + c]! - max);
    out[c] = e;
    sum += e;
  }
  for (let c = 0; c < count; c++) out[c] = out[c]! / sum;
  return out;
}

/** Index of the largest value (the first, on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
