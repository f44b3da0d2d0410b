/**
 * Step 4 of the emotion2vec+ graph, the ALiBi attention bias `-|i - j| * slope_h * max(scale_h, 0)`,
 * zero for extra-token rows and columns, in float: either whole ([1, H, E+T', E+T'], once per
 * length, shared by every block) or row block by row block inside the attention loop
 * (attention-loop.ts), so that neither the whole bias nor the whole score matrix is allocated.
 * @module
 */
import type { BiasRows } from './attention-loop.js';
import { type Emotion2vecOps, AUDIO } from './emotion2vec-ops.js';
import { DEFAULT_ATTENTION_CHUNK_TOKENS } from './emotion2vec-options.js';
import { type GraphBuilder, attr } from './graph.js';
import { DataType } from './onnx-proto.js';

/** The bias as the attention of step 6 uses it. */
export interface AlibiBias {
  /** `-slope_h * max(scale_h, 0)` per head, [1, H, 1, 1]. */
  headCoefficients: string;
  /** Query rows per attention block; 0: attention over all rows at once, with {@link whole}. */
  chunkTokens: number;
  /** The whole bias [1, H, E+T', E+T'] when `chunkTokens` is 0, else undefined. */
  whole: string | undefined;
}

/**
 * ALiBi head slopes exactly as fairseq data2vec2 / FunASR `get_alibi` computes
 * them (geometric sequence from 2^(-8/n); for a head count that is not a power
 * of two, the closest power's slopes plus every other slope of the next power),
 * rounded to float32 like `torch.Tensor(list)`.
 */
export function alibiSlopes(heads: number): Float32Array {
  const powerOf2 = (n: number): number[] => {
    const start = 2 ** -(2 ** -(Math.log2(n) - 3));
    return Array.from({ length: n }, (_, i) => start * start ** i);
  };
  const slopes = (n: number): number[] => {
    if (Number.isInteger(Math.log2(n))) return powerOf2(n);
    const closest = 2 ** Math.floor(Math.log2(n));
    return [
      ...powerOf2(closest),
      ...slopes(2 * closest)
        .filter((_, i) => i % 2 === 0)
        .slice(0, n - closest),
    ];
  };
  return Float32Array.from(slopes(heads));
}

/**
 * Step 4: the head coefficients, and the whole bias when attention does not run in blocks (with
 * `intermediates`, with `onnx` attention, or with `attentionChunkTokens` 0).
 * @param ops the graph and its building blocks
 * @param frames the frames [B, T', D] (extra tokens not yet prepended)
 */
export function alibiBias(ops: Emotion2vecOps, frames: string): AlibiBias {
  const { g, options } = ops;
  const H = ops.config.numHeads;
  const numExtra = ops.config.audio.numExtraTokens;
  const blocked = options.intermediates !== true && (options.attention ?? 'ort-mha') !== 'onnx';
  const chunkTokens = blocked ? (options.attentionChunkTokens ?? DEFAULT_ATTENTION_CHUNK_TOKENS) : 0;
  // -slope_h * max(scale_h, 0) per head: the learned scale is a constant at inference, so the
  // bias is one distance x coefficient product (clamp_min(0): a negative scale switches a head off)
  const slopes = alibiSlopes(H);
  const headCoefficients = g.weight(`${AUDIO}.alibi_scale.head_coefficients`, DataType.FLOAT, [1, H, 1, 1], async () => {
    const s = await options.weights.read(`${AUDIO}.alibi_scale`);
    return Float32Array.from(s, (v, h) => -slopes[h]! * Math.max(v, 0));
  });
  if (chunkTokens > 0) return { headCoefficients, chunkTokens, whole: undefined };
  const count = g.op('Shape', [frames], { start: attr.int(1), end: attr.int(2) });
  const countF = g.op('Squeeze', [g.op('Cast', [count], { to: attr.int(DataType.FLOAT) }), g.int64s('axis0', [0])]);
  const positions = g.op('Range', [g.scalar('zero', 0), countF, ops.one]);
  const distance = g.op('Abs', [g.op('Sub', [g.op('Unsqueeze', [positions, g.int64s('axis1b', [1])]), positions])]);
  let whole = g.op('Mul', [g.op('Unsqueeze', [distance, g.int64s('axes01', [0, 1])]), headCoefficients]);
  if (numExtra > 0) whole = g.op('Pad', [whole, g.int64s('alibi_pads', [0, 0, numExtra, numExtra, 0, 0, 0, 0])]);
  ops.debug(whole, 'alibi_bias', [1, H, 'tokens', 'tokens']);
  return { headCoefficients, chunkTokens, whole };
}

/**
 * The ALiBi bias rows [rowStart, rowEnd) of a sequence of E extra tokens + T' frames,
 * [1, H, rows, E+T'], built inside a loop body from values of the main graph: the same numbers as
 * the whole bias (the distance times the slope, then times the clamped scale; zero for extra
 * tokens).
 * @param g the model graph
 * @param parts the token sequence [B, E+T', D], E, and the head coefficients of {@link alibiBias}
 */
export function alibiRows(g: GraphBuilder, parts: { x: string; numExtra: number; headCoefficients: string }): BiasRows {
  const tokens = g.op('Squeeze', [g.op('Shape', [parts.x], { start: attr.int(1), end: attr.int(2) })]);
  const extra = g.scalar('extra_tokens_f', parts.numExtra);
  const zeroF = g.scalar('zero_f', 0);
  const oneI = g.int64s('one_i64', [1], []);
  const toFloat = (b: GraphBuilder, v: string): string => b.op('Cast', [v], { to: attr.int(DataType.FLOAT) });
  // frame position of each column (negative for extra tokens) and whether it is a frame
  const columns = g.op('Sub', [toFloat(g, g.op('Range', [g.int64s('zero_i64', [0], []), tokens, oneI])), extra]);
  const columnIsFrame = toFloat(g, g.op('GreaterOrEqual', [columns, zeroF]));
  const axis1 = g.int64s('axis1_rows', [1]);
  const axes01 = g.int64s('axes01_rows', [0, 1]);
  return (b, rowStart, rowEnd) => {
    const rows = b.op('Sub', [toFloat(b, b.op('Range', [b.op('Squeeze', [rowStart]), b.op('Squeeze', [rowEnd]), oneI])), extra]);
    const rowIsFrame = b.op('Unsqueeze', [toFloat(b, b.op('GreaterOrEqual', [rows, zeroF])), axis1]);
    const distance = b.op('Abs', [b.op('Sub', [b.op('Unsqueeze', [rows, axis1]), columns])]);
    const framesOnly = b.op('Mul', [b.op('Mul', [distance, rowIsFrame]), columnIsFrame]);
    return b.op('Mul', [b.op('Unsqueeze', [framesOnly, axes01]), parts.headCoefficients]);
  };
}
