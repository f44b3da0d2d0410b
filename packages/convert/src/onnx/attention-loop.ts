/**
 * Self-attention with an ALiBi bias, query block by query block, in an ONNX `Loop`: each block's
 * bias rows [1, H, rows, S] are built inside the loop and the block attends to every key with
 * ONNX Runtime's `MultiHeadAttention`. Keys and values are split into heads ([B, H, S, hd], the
 * kernel's BNSH input) once per layer, before the loop, instead of once per block inside the
 * kernel. Attention is row-wise (each query row's softmax only
 * needs its own scores), so the blocks concatenated equal attention over all rows at once, while
 * the [H, S, S] scores and the [1, H, S, S] bias (144 MB each at 30 s for the large model) never
 * exist whole: memory follows the block.
 * @module
 */
import { type GraphBuilder, attr } from './graph.js';
import { DataType } from './onnx-proto.js';

/** The ALiBi bias rows of one block, emitted into a (loop body) builder. */
export type BiasRows = (b: GraphBuilder, rowStart: string, rowEnd: string) => string;

/** What {@link blockedAttention} needs, shared by every layer. */
export interface BlockedAttentionSetup {
  /** int64 [1]: the batch size. */
  batch: string;
  /** int64 [1]: the sequence length S (tokens, extra tokens included). */
  tokens: string;
  /** Model width D. */
  dim: number;
  heads: number;
  /** Scale of q k^T. */
  scale: number;
  /** Query rows per block. */
  chunkTokens: number;
  /** Emits the bias of rows [rowStart, rowEnd) (int64 [1] values), [1, H, rows, S]. */
  biasRows: BiasRows;
}

/**
 * Returns the attention of one layer, `(q, k, v) => [B, S, D]`: a `Loop` over query blocks in
 * `g`. The loop's constants are made once and shared by every layer.
 * @param g the model graph
 * @param setup sizes and the bias rows
 */
export function blockedAttention(g: GraphBuilder, setup: BlockedAttentionSetup): (q: string, k: string, v: string) => string {
  const block = g.int64s('attention_block', [setup.chunkTokens]);
  const trips = g.op('Squeeze', [g.op('Div', [g.op('Add', [setup.tokens, g.int64s('attention_block_minus_1', [setup.chunkTokens - 1])]), block])]);
  const emptyShape = g.op('Concat', [setup.batch, g.int64s('zero_and_dim', [0, setup.dim])], { axis: attr.int(0) });
  const empty = g.op('ConstantOfShape', [emptyShape], {
    value: attr.tensor({ name: 'zero', dataType: DataType.FLOAT, dims: [1], rawData: new Uint8Array(4) }),
  });
  const axis0 = g.int64s('axis0_block', [0]);
  const tokensAxis = g.int64s('tokens_axis', [1]);
  const headShape = g.int64s('kv_head_shape', [0, 0, setup.heads, setup.dim / setup.heads]);
  const toHeads = (t: string): string => g.op('Transpose', [g.op('Reshape', [t, headShape])], { perm: attr.ints([0, 2, 1, 3]) });
  let layer = 0;
  return (q, k, v) => {
    const n = layer++;
    const kHeads = toHeads(k);
    const vHeads = toHeads(v);
    const body = g.subgraph(`attention_blocks_${n}`);
    const index = body.input(`attention${n}_block_index`, DataType.INT64, []);
    const condition = body.input(`attention${n}_condition`, DataType.BOOL, []);
    const done = body.input(`attention${n}_rows_in`, DataType.FLOAT, ['batch', 'done_rows', setup.dim]);
    const start = body.op('Mul', [body.op('Unsqueeze', [index, axis0]), block]);
    const end = body.op('Min', [body.op('Add', [start, block]), setup.tokens]);
    const rows = body.op('Slice', [q, start, end, tokensAxis]);
    const attended = body.op(
      'MultiHeadAttention',
      [rows, kHeads, vHeads, '', '', setup.biasRows(body, start, end)],
      { num_heads: attr.int(setup.heads), scale: attr.float(setup.scale) },
      { domain: 'com.microsoft' },
    );
    body.output(body.op('Identity', [condition]), `attention${n}_condition_out`, DataType.BOOL, []);
    body.output(body.op('Concat', [done, attended], { axis: attr.int(1) }), `attention${n}_rows_out`, DataType.FLOAT, ['batch', 'rows', setup.dim]);
    return g.op('Loop', [trips, '', empty], { body: attr.graph(body.toSubgraphProto()) });
  };
}
