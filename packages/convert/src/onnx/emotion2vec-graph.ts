/**
 * The emotion2vec+ forward pass (FunASR `Emotion2vec.extract_features` + the
 * `proj` head) as an ONNX graph, following the golden README step by step:
 *
 * 1. conv feature extractor: per layer a bias-free Conv1d (as im2col rows times a matrix,
 *    channels last: im2col.ts), LayerNorm over channels (eps 1e-5, affine), exact GELU; run in
 *    chunks of 250 frames in a `Loop` (extractor-loop.ts: the same numbers, memory bounded by
 *    the chunk);
 * 2. `project_features`: LayerNorm(C) + Linear(C -> D);
 * 3. `x = x + relpos(x)`: grouped Conv1d (kernel `conv_pos_width / conv_pos_depth`,
 *    "same" padding), LayerNorm without affine, GELU, repeated `conv_pos_depth` times;
 * 4. ALiBi bias `-|i-j| * slope_h * max(alibi_scale_h, 0)`, zero for extra-token
 *    rows/columns, in float; attention runs in blocks of 256 query rows in a `Loop` that builds
 *    each block's bias rows (attention-loop.ts), so neither the whole bias nor the whole score
 *    matrix is ever allocated;
 * 5. learned extra tokens prepended (no positional term);
 * 6. `context_encoder.norm`, then the prenet blocks, then the main blocks
 *    (post-LN: `x = norm1(x + attn(x)); x = norm2(x + mlp(x))`), no final norm;
 * 7. extra tokens dropped -> `frames`; mean over time -> `embedding`; `proj` -> `logits`, and
 *    `proj` on every frame -> `frame_logits`.
 *
 * One module per step: emotion2vec-frontend.ts (1-3), emotion2vec-alibi.ts (4),
 * emotion2vec-encoder.ts (5-6), emotion2vec-head.ts (7), over the building blocks of
 * emotion2vec-ops.ts.
 *
 * Graph contract (design.md): input `waveform` float32 [batch, samples] at
 * 16 kHz, ALREADY layer-normed per utterance when the model's `normalize` is
 * true (the engine does it in TypeScript, see manifest `normalize`); outputs
 * `frames` [batch, frames, D], `embedding` [batch, D], `logits` [batch, labels],
 * `frame_logits` [batch, frames, labels] (masked labels at -inf in both logits).
 * Batch and sample count are dynamic; the frame count follows from the conv
 * stack. Inputs shorter than {@link minInputSamples} have no frame and must be
 * refused before running the graph.
 * @module
 */
import { convPosKernel } from '../config/tensor-specs.js';
import type { Emotion2vecConfig } from '../config/types.js';
import { ConvertError } from '../errors.js';
import { alibiBias } from './emotion2vec-alibi.js';
import { contextEncoder, prependExtraTokens } from './emotion2vec-encoder.js';
import { addRelativePositions, featureExtractor, projectFeatures } from './emotion2vec-frontend.js';
import { emitOutputs } from './emotion2vec-head.js';
import { emotion2vecOps } from './emotion2vec-ops.js';
import type { Emotion2vecGraphOptions } from './emotion2vec-options.js';
import { GraphBuilder, attr } from './graph.js';
import { DataType } from './onnx-proto.js';

/** ONNX default-domain opset the graph uses (LayerNormalization needs 17). */
export const EMOTION2VEC_OPSET = 17;
/** ONNX IR version written with {@link EMOTION2VEC_OPSET}. */
export const EMOTION2VEC_IR_VERSION = 8;

/**
 * Fewest waveform samples that give at least one frame: the receptive field of
 * the conv feature extractor (400 samples = 25 ms for emotion2vec+).
 */
export function minInputSamples(config: Pick<Emotion2vecConfig, 'audio'>): number {
  let need = 1;
  for (const [, kernel, stride] of [...config.audio.featureEncoderSpec].reverse()) need = (need - 1) * stride + kernel;
  return need;
}

/** Number of frames T' the conv stack produces from `samples` samples (0 when too short). */
export function frameCount(config: Pick<Emotion2vecConfig, 'audio'>, samples: number): number {
  let n = samples;
  for (const [, kernel, stride] of config.audio.featureEncoderSpec) {
    if (n < kernel) return 0;
    n = Math.floor((n - kernel) / stride) + 1;
  }
  return n;
}

/**
 * Refuses configurations the graph cannot express.
 * @throws ConvertError `E2V_ERR_CONVERT_UNSUPPORTED`
 */
function checkSupported(config: Emotion2vecConfig): void {
  const D = config.embedDim;
  const H = config.numHeads;
  if (D % H !== 0) throw new ConvertError('E2V_ERR_CONVERT_UNSUPPORTED', `embed_dim ${D} is not a multiple of num_heads ${H}`);
  if (config.audio.numAlibiHeads !== H) {
    throw new ConvertError('E2V_ERR_CONVERT_UNSUPPORTED', `num_alibi_heads ${config.audio.numAlibiHeads} differs from num_heads ${H}`);
  }
  const posKernel = convPosKernel(config);
  if (posKernel % 2 === 0) {
    // SamePad would drop the last step for even kernels; the released models use 19.
    throw new ConvertError('E2V_ERR_CONVERT_UNSUPPORTED', `even positional conv kernel ${posKernel} is not supported`);
  }
}

/**
 * Builds the graph, step by step (see the module docs). Weights are not read here: each is read
 * from `options.weights` when the model writer asks for it (see `writeModel`).
 * @throws ConvertError `E2V_ERR_CONVERT_UNSUPPORTED` for configurations the graph cannot express
 * @throws RangeError for a masked label index outside the labels
 */
export function buildEmotion2vecGraph(options: Emotion2vecGraphOptions): GraphBuilder {
  checkSupported(options.config);
  const g = new GraphBuilder(options.name ?? 'emotion2vec');
  const ops = emotion2vecOps(g, options);
  const waveform = g.input('waveform', DataType.FLOAT, ['batch', 'samples']);
  const batch = g.op('Shape', [waveform], { start: attr.int(0), end: attr.int(1) });
  const { features, channels } = featureExtractor(ops, waveform, batch);
  const frames = addRelativePositions(ops, projectFeatures(ops, features, channels));
  const bias = alibiBias(ops, frames);
  const encoded = contextEncoder(ops, prependExtraTokens(ops, frames, batch), batch, bias);
  emitOutputs(ops, encoded);
  return g;
}
