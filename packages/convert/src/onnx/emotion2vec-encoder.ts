/**
 * Steps 5 and 6 of the emotion2vec+ graph: the learned extra tokens prepended to the frames, then
 * the context encoder (`context_encoder.norm`, the prenet blocks, the main blocks; post-LN blocks
 * `x = norm1(x + attn(x)); x = norm2(x + mlp(x))`, no final norm) with ALiBi self-attention.
 * @module
 */
import { blockedAttention } from './attention-loop.js';
import { type AlibiBias, alibiRows } from './emotion2vec-alibi.js';
import { type Emotion2vecOps, AUDIO } from './emotion2vec-ops.js';
import { attr } from './graph.js';

/**
 * Step 5: the learned extra tokens prepended to every item of the batch (no positional term).
 * @param ops the graph and its building blocks
 * @param x the frames [B, T', D]
 * @param batch `Shape(waveform)[0:1]`
 * @returns the tokens [B, E+T', D]
 */
export function prependExtraTokens(ops: Emotion2vecOps, x: string, batch: string): string {
  const { g, config } = ops;
  const numExtra = config.audio.numExtraTokens;
  let tokens = x;
  if (numExtra > 0) {
    const extra = ops.w(`${AUDIO}.extra_tokens`, [1, numExtra, config.embedDim]);
    const expandShape = g.op('Concat', [batch, g.int64s('ones2', [1, 1])], { axis: attr.int(0) });
    tokens = g.op('Concat', [g.op('Expand', [extra, expandShape]), x], { axis: attr.int(1) });
  }
  ops.debug(tokens, 'prenet_input', ['batch', 'tokens', config.embedDim]);
  return tokens;
}

/**
 * Multi-head self-attention with the ALiBi bias, from the packed qkv projection [B, S, 3D] to
 * [B, S, D]: in query blocks (attention-loop.ts), with ORT's MultiHeadAttention over all rows, or
 * with standard ops only (`onnx` attention).
 */
function selfAttention(ops: Emotion2vecOps, x: string, batch: string, bias: AlibiBias): (qkv: string) => string {
  const { g, config } = ops;
  const D = config.embedDim;
  const H = config.numHeads;
  const headDim = D / H;
  const scale = headDim ** -0.5;
  const qkvSplit = g.int64s('qkv_split', [D, D, D]);
  const attendBlocks =
    bias.chunkTokens === 0
      ? undefined
      : blockedAttention(g, {
          batch,
          tokens: g.op('Shape', [x], { start: attr.int(1), end: attr.int(2) }),
          dim: D,
          heads: H,
          scale,
          chunkTokens: bias.chunkTokens,
          biasRows: alibiRows(g, { x, numExtra: config.audio.numExtraTokens, headCoefficients: bias.headCoefficients }),
        });
  const plain =
    ops.options.attention === 'onnx'
      ? { headShape: g.int64s('head_shape', [0, 0, H, headDim]), mergeShape: g.int64s('merge_shape', [0, 0, D]), qScale: g.scalar('q_scale', scale) }
      : undefined;
  return (qkv) => {
    const [q, k, v] = g.node('Split', [qkv, qkvSplit], { axis: attr.int(-1) }, { outputCount: 3 }) as [string, string, string];
    if (attendBlocks !== undefined) return attendBlocks(q, k, v);
    if (plain === undefined) {
      // softmax(scale * q k^T + bias) v in one ORT kernel; the bias [1, H, S, S] broadcasts over the batch
      return g.op('MultiHeadAttention', [q, k, v, '', '', bias.whole!], { num_heads: attr.int(H), scale: attr.float(scale) }, { domain: 'com.microsoft' });
    }
    const heads = (t: string, perm: number[]): string => g.op('Transpose', [g.op('Reshape', [t, plain.headShape])], { perm: attr.ints(perm) });
    const qh = g.op('Mul', [heads(q, [0, 2, 1, 3]), plain.qScale]); // [B, H, S, hd], scaled before q @ k^T as the reference does
    const kt = heads(k, [0, 2, 3, 1]); // [B, H, hd, S]
    const vh = heads(v, [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('MatMul', [qh, kt]), bias.whole!]); // a plain Add: no in-place Slice/ScatterND update
    const probs = g.op('Softmax', [scores], { axis: attr.int(-1) });
    const ctx = g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: attr.ints([0, 2, 1, 3]) });
    return g.op('Reshape', [ctx, plain.mergeShape]);
  };
}

/**
 * Step 6: `context_encoder.norm`, the prenet blocks, then the main blocks.
 * @param ops the graph and its building blocks
 * @param tokens [B, E+T', D] from {@link prependExtraTokens}
 * @param batch `Shape(waveform)[0:1]`
 * @param bias the ALiBi bias of step 4
 * @returns the last block's output [B, E+T', D]
 */
export function contextEncoder(ops: Emotion2vecOps, tokens: string, batch: string, bias: AlibiBias): string {
  const { g, config } = ops;
  const D = config.embedDim;
  const eps = config.normEps;
  let x = ops.layerNorm(tokens, ops.w(`${AUDIO}.context_encoder.norm.weight`, [D]), ops.w(`${AUDIO}.context_encoder.norm.bias`, [D]), eps);
  const attend = selfAttention(ops, x, batch, bias);
  const hidden = Math.trunc(D * config.mlpRatio);
  const block = (p: string): void => {
    const ctx = attend(ops.linear(x, `${p}.attn.qkv`, D, 3 * D));
    const attn = ops.linear(ctx, `${p}.attn.proj`, D, D);
    x = ops.layerNorm(g.op('Add', [x, attn]), ops.w(`${p}.norm1.weight`, [D]), ops.w(`${p}.norm1.bias`, [D]), eps);
    const mlp = ops.linear(ops.gelu(ops.linear(x, `${p}.mlp.fc1`, D, hidden)), `${p}.mlp.fc2`, hidden, D);
    x = ops.layerNorm(g.op('Add', [x, mlp]), ops.w(`${p}.norm2.weight`, [D]), ops.w(`${p}.norm2.bias`, [D]), eps);
  };
  for (let i = 0; i < config.audio.prenetDepth; i++) block(`${AUDIO}.context_encoder.blocks.${i}`);
  ops.debug(x, 'prenet_output', ['batch', 'tokens', D]);
  for (let i = 0; i < config.depth; i++) {
    block(`blocks.${i}`);
    ops.debug(x, `block${i}_out`, ['batch', 'tokens', D]);
  }
  return x;
}
