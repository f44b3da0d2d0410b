/**
 * Step 7 of the emotion2vec+ graph, the outputs: the frames (extra tokens dropped), their mean
 * over time (the embedding), and the linear `proj` head applied to both: `logits` of the
 * utterance and `frame_logits` of every frame. The head is linear, so the mean of frame logits
 * over any window equals the head applied to the window's mean frame: the engine pools
 * `frame_logits` for frame scores. Both come from one weight: stored as is in the fp32 variant,
 * stored as int8 and dequantized in the graph in the int8 variant (the head is under 0.01% of
 * the model's work; quantizing its activations per tensor would make the pooled frame logits differ
 * from the utterance logits).
 * @module
 */
import type { Emotion2vecOps } from './emotion2vec-ops.js';
import { attr } from './graph.js';
import { DataType } from './onnx-proto.js';
import { linearBias, linearWeightDequantized, linearWeightFp32 } from './quantize-int8.js';

/**
 * The graph outputs of the e2v contract, in order (docs/design.md, "Converted model folder"):
 * `frames` [batch, frames, D], `embedding` [batch, D], `logits` [batch, labels],
 * `frame_logits` [batch, frames, labels].
 */
export const EMOTION2VEC_OUTPUTS = ['frames', 'embedding', 'logits', 'frame_logits'] as const;

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
 * Step 7: declares the {@link EMOTION2VEC_OUTPUTS}.
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
  const mask = masked.length > 0 ? g.floats('label_mask', labelMask(C, masked)) : undefined;
  const frames =
    numExtra > 0
      ? g.op('Slice', [tokens, g.int64s('slice_start', [numExtra]), g.int64s('slice_end', [Number.MAX_SAFE_INTEGER]), g.int64s('axis1c', [1])])
      : tokens;
  g.output(frames, 'frames', DataType.FLOAT, ['batch', 'frames', D], 'frame features [batch, frames, D], extra tokens removed');
  const embedding = g.op('ReduceMean', [frames], { axes: attr.ints([1]), keepdims: attr.int(0) });
  g.output(embedding, 'embedding', DataType.FLOAT, ['batch', D], 'mean of frames over time');

  const proj = ops.linearLayer('proj', D, C);
  const weight = (options.variant ?? 'fp32') === 'int8' ? linearWeightDequantized(g, proj) : linearWeightFp32(g, proj);
  const bias = linearBias(g, proj);
  const head = (x: string): string => {
    const logits = g.op('Add', [g.op('MatMul', [x, weight]), bias]);
    return mask === undefined ? logits : g.op('Add', [logits, mask]);
  };
  const masking = mask === undefined ? '' : ', masked labels at -inf';
  g.output(head(embedding), 'logits', DataType.FLOAT, ['batch', C], `proj logits${masking}`);
  g.output(head(frames), 'frame_logits', DataType.FLOAT, ['batch', 'frames', C], `proj logits of every frame${masking}`);
}
