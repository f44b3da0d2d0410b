/**
 * Step 7 of the emotion2vec+ graph, the outputs: the frames (extra tokens dropped), their mean
 * over time (the embedding), and the linear `proj` head on the embedding (`logits`).
 * @module
 */
import type { Emotion2vecOps } from './emotion2vec-ops.js';
import { attr } from './graph.js';
import { DataType } from './onnx-proto.js';

/** `[labels]` with -inf at the masked indices and 0 elsewhere. */
function labelMask(numLabels: number, masked: readonly number[]): Float32Array {
  const mask = new Float32Array(numLabels);
  for (const i of masked) {
    if (!Number.isInteger(i) || i < 0 || i >= numLabels) throw new RangeError(`masked label index ${i} is out of range`);
    mask[i] = Number.NEGATIVE_INFINITY;
  }
  return mask;
}

/**
 * Step 7: declares the outputs `frames`, `embedding` and `logits`.
 * @param ops the graph and its building blocks
 * @param tokens the last block's output [B, E+T', D]
 * @throws RangeError for a masked label index outside the labels
 */
export function emitOutputs(ops: Emotion2vecOps, tokens: string): void {
  const { g, config, options } = ops;
  const D = config.embedDim;
  const C = options.numLabels;
  const numExtra = config.audio.numExtraTokens;
  const masked = options.maskedLabelIndices ?? [];
  const frames =
    numExtra > 0
      ? g.op('Slice', [tokens, g.int64s('slice_start', [numExtra]), g.int64s('slice_end', [Number.MAX_SAFE_INTEGER]), g.int64s('axis1c', [1])])
      : tokens;
  g.output(frames, 'frames', DataType.FLOAT, ['batch', 'frames', D], 'frame features [batch, frames, D], extra tokens removed');
  const embedding = g.op('ReduceMean', [frames], { axes: attr.ints([1]), keepdims: attr.int(0) });
  g.output(embedding, 'embedding', DataType.FLOAT, ['batch', D], 'mean of frames over time');
  let logits = ops.linear(embedding, 'proj', D, C);
  if (masked.length > 0) logits = g.op('Add', [logits, g.floats('label_mask', labelMask(C, masked))]);
  g.output(logits, 'logits', DataType.FLOAT, ['batch', C], masked.length > 0 ? 'proj logits, masked labels at -inf' : 'proj logits');
}
