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
 * 7. extra tokens dropped -> `frames`; mean over time -> `embedding`; `proj` -> `logits`.
 *
 * Graph contract (design.md): input `waveform` float32 [batch, samples] at
 * 16 kHz, ALREADY layer-normed per utterance when the model's `normalize` is
 * true (the engine does it in TypeScript, see manifest `normalize`); outputs
 * `frames` [batch, frames, D], `embedding` [batch, D], `logits` [batch, labels].
 * Batch and sample count are dynamic; the frame count follows from the conv
 * stack. Inputs shorter than {@link minInputSamples} have no frame and must be
 * refused before running the graph.
 * @module
 */
import { convPosKernel } from '../config/tensor-specs.js';
import type { Emotion2vecConfig } from '../config/types.js';
import { ConvertError } from '../errors.js';
import { blockedAttention, type BiasRows } from './attention-loop.js';
import { extractInChunks } from './extractor-loop.js';
import { GraphBuilder, attr } from './graph.js';
import { DataType } from './onnx-proto.js';
import { convWeightAsMatrix, im2col } from './im2col.js';
import { type LinearLayer, emitLinearFp32, emitLinearInt8 } from './quantize-int8.js';

/** Where the graph builder gets weights from: a subset of `CheckpointReader`. */
export interface WeightSource {
  read(name: string): Promise<Float32Array>;
}

/** Float32 (exact) or dynamically quantized int8 linear layers. */
export type GraphVariant = 'fp32' | 'int8';

/**
 * How attention is expressed: `ort-mha` (default) uses ONNX Runtime's
 * `com.microsoft.MultiHeadAttention` with the ALiBi bias as its
 * `attention_bias` input, so the [B, H, S, S] scores live in one buffer
 * instead of three (measured before attention ran in blocks, full-size model,
 * 1 thread: same speed within noise at 20 s and 2-10% faster at 30 s; peak RSS
 * 1281 vs 1375 MB at 20 s and 1634 vs 1944 MB at 30 s). Results agree within float
 * rounding (ORT scales q k^T instead of q; with head_dim 64 the 1/8 scale is
 * exact either way). `onnx` uses standard ops only (MatMul, a plain Add of the
 * bias, Softmax), for runtimes without ORT's contrib ops.
 */
export type AttentionImpl = 'ort-mha' | 'onnx';

/** ONNX default-domain opset the graph uses (LayerNormalization needs 17). */
export const EMOTION2VEC_OPSET = 17;
/** ONNX IR version written with {@link EMOTION2VEC_OPSET}. */
export const EMOTION2VEC_IR_VERSION = 8;

/** Options of {@link buildEmotion2vecGraph}. */
export interface Emotion2vecGraphOptions {
  config: Emotion2vecConfig;
  /** Number of `proj` outputs (labels in tokens.txt). */
  numLabels: number;
  weights: WeightSource;
  /** Default `fp32`. */
  variant?: GraphVariant;
  /** Default `ort-mha`. */
  attention?: AttentionImpl;
  /**
   * Label indices whose logits the graph sets to -inf (FunASR's `unuse*`
   * masking), so a softmax over `logits` gives them probability 0.
   */
  maskedLabelIndices?: readonly number[];
  /** Graph name (default `emotion2vec`). */
  name?: string;
  /**
   * Also output every stage's activation, named like the golden
   * `intermediates/*.npy` (`conv_layer{i}_out` [B, L, C], `conv_features`
   * [B, T', C], `projected`, `relative_pos`, `prenet_input`, `alibi_bias`
   * [1, H, E+T', E+T'], `prenet_output`, `block{i}_out`). For tests and debugging.
   */
  intermediates?: boolean;
  /**
   * Frames per chunk of the conv feature extractor (default {@link DEFAULT_EXTRACTOR_CHUNK_FRAMES}).
   * The extractor is local (each frame sees 400 samples; LayerNorm is per frame), so the graph
   * runs it chunk by chunk in a `Loop` and concatenates the frames: the same numbers, with the
   * extractor's activations (the largest of the model on long inputs) bounded by one chunk.
   * 0 runs it on the whole input at once (also when `intermediates` are asked for).
   */
  extractorChunkFrames?: number;
  /**
   * Query rows per attention block (default {@link DEFAULT_ATTENTION_CHUNK_TOKENS}). Each block's
   * ALiBi rows are built in a `Loop` and attend to all keys, so neither the [H, S, S] scores nor the
   * [1, H, S, S] bias exist whole (144 MB each at 30 s for the large model). 0 attends all rows at
   * once with one shared bias (also with `intermediates` and with `onnx` attention).
   */
  attentionChunkTokens?: number;
}

/** Default {@link Emotion2vecGraphOptions.extractorChunkFrames}: 250 frames = 5 s of audio. */
export const DEFAULT_EXTRACTOR_CHUNK_FRAMES = 250;

/** Default {@link Emotion2vecGraphOptions.attentionChunkTokens}: 256 query rows (about 5 s). */
export const DEFAULT_ATTENTION_CHUNK_TOKENS = 256;

/**
 * The ALiBi bias rows [rowStart, rowEnd) of a sequence of E extra tokens + T' frames,
 * [1, H, rows, E+T'], built inside a loop body from values of the main graph: the same numbers as
 * the whole bias (the distance times the slope, then times the clamped scale; zero for extra
 * tokens).
 */
function alibiRows(g: GraphBuilder, parts: { x: string; numExtra: number; headCoefficients: string }): BiasRows {
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

const AUDIO = 'modality_encoders.AUDIO';
/** eps of the extractor's Fp32LayerNorm and of the positional encoder's LayerNorm (torch default). */
const TORCH_LAYER_NORM_EPS = 1e-5;

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
    return [...powerOf2(closest), ...slopes(2 * closest).filter((_, i) => i % 2 === 0).slice(0, n - closest)];
  };
  return Float32Array.from(slopes(heads));
}

function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) t[c * rows + r] = w[row + c]!;
  }
  return t;
}

/**
 * Builds the graph. Weights are not read here: each is read from `weights`
 * when the model writer asks for it (see `writeModel`).
 * @throws ConvertError `E2V_ERR_CONVERT_UNSUPPORTED` for configurations the graph cannot express
 */
export function buildEmotion2vecGraph(options: Emotion2vecGraphOptions): GraphBuilder {
  const { config, numLabels, weights } = options;
  const variant = options.variant ?? 'fp32';
  const g = new GraphBuilder(options.name ?? 'emotion2vec');
  const D = config.embedDim;
  const H = config.numHeads;
  const { audio } = config;
  if (D % H !== 0) throw new ConvertError('E2V_ERR_CONVERT_UNSUPPORTED', `embed_dim ${D} is not a multiple of num_heads ${H}`);
  if (audio.numAlibiHeads !== H) {
    throw new ConvertError('E2V_ERR_CONVERT_UNSUPPORTED', `num_alibi_heads ${audio.numAlibiHeads} differs from num_heads ${H}`);
  }
  const posKernel = convPosKernel(config);
  if (posKernel % 2 === 0) {
    // SamePad would drop the last step for even kernels; the released models use 19.
    throw new ConvertError('E2V_ERR_CONVERT_UNSUPPORTED', `even positional conv kernel ${posKernel} is not supported`);
  }
  const headDim = D / H;
  const numExtra = audio.numExtraTokens;

  const read = (name: string) => () => weights.read(name);
  const w = (name: string, dims: readonly number[]) => g.weight(name, DataType.FLOAT, dims, read(name));
  const linear = (x: string, name: string, inFeatures: number, outFeatures: number): string => {
    const layer: LinearLayer = {
      name,
      inFeatures,
      outFeatures,
      readWeightT: async () => transpose2d(await weights.read(`${name}.weight`), outFeatures, inFeatures),
      readBias: read(`${name}.bias`),
    };
    return variant === 'int8' ? emitLinearInt8(g, x, layer) : emitLinearFp32(g, x, layer);
  };
  const layerNorm = (x: string, scale: string, bias: string, eps: number, b: GraphBuilder = g): string =>
    b.op('LayerNormalization', [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(eps) });
  const sqrt2 = g.scalar('sqrt2', Math.SQRT2);
  const half = g.scalar('half', 0.5);
  const one = g.scalar('one', 1);
  // exact GELU, (x * (1 + erf(x / sqrt 2))) * 0.5: the pattern ORT's GeluFusion turns into one Gelu kernel
  const gelu = (x: string, b: GraphBuilder = g): string =>
    b.op('Mul', [b.op('Mul', [x, b.op('Add', [b.op('Erf', [b.op('Div', [x, sqrt2])]), one])]), half]);
  // [B, L, C] <-> [B, C, L]: Conv wants channels first, LayerNormalization normalizes the last axis
  const toChannelsFirst = (x: string, b: GraphBuilder = g): string => b.op('Transpose', [x], { perm: attr.ints([0, 2, 1]) });
  const toChannelsLast = toChannelsFirst;
  const debug = (value: string, name: string, shape: readonly (number | string)[]): void => {
    if (options.intermediates === true) g.output(value, name, DataType.FLOAT, shape);
  };

  // ---- input ----
  const waveform = g.input('waveform', DataType.FLOAT, ['batch', 'samples']);
  const batch = g.op('Shape', [waveform], { start: attr.int(0), end: attr.int(1) });

  // ---- 1. conv feature extractor: [B, N] -> [B, T', C] ----
  // Channels last throughout: each Conv1d is a MatMul over the im2col rows (frames x
  // kernel * channels), so LayerNormalization needs no transposes and the product runs as a
  // pre-packed GEMM (as a DynamicQuantizeMatMul in the int8 variant). Weights and constants live
  // in the main graph; the chunk Loop's body uses them by name.
  let channelsIn = 1;
  const convLayers = audio.featureEncoderSpec.map(([channels, kernel, stride], i) => {
    const p = `${AUDIO}.local_encoder.conv_layers.${i}`;
    const inChannels = channelsIn;
    const layer = {
      channels,
      kernel,
      stride,
      inChannels,
      linear: {
        name: `${p}.0`,
        inFeatures: kernel * inChannels,
        outFeatures: channels,
        readWeightT: async () => convWeightAsMatrix(await weights.read(`${p}.0.weight`), channels, inChannels, kernel),
      } satisfies LinearLayer,
      lnScale: w(`${p}.2.1.weight`, [channels]),
      lnBias: w(`${p}.2.1.bias`, [channels]),
    };
    channelsIn = channels;
    return layer;
  });
  const C = channelsIn;
  const lastAxis = g.int64s('last_axis', [-1]);
  /** The extractor on `wave` [B, n] in builder `b`: [B, frames, C]. */
  const extract = (b: GraphBuilder, wave: string): string => {
    let x = b.op('Unsqueeze', [wave, lastAxis]); // [B, n, 1]
    convLayers.forEach((layer, i) => {
      const rows = im2col(g, b, x, { kernel: layer.kernel, stride: layer.stride, channels: layer.inChannels, name: `conv${i}` });
      const conv = emitLinearFp32(g, rows, layer.linear, b);
      x = gelu(layerNorm(conv, layer.lnScale, layer.lnBias, TORCH_LAYER_NORM_EPS, b), b);
      if (b === g) debug(x, `conv_layer${i}_out`, ['batch', `conv${i}_frames`, layer.channels]);
    });
    return x;
  };
  const chunkFrames = options.intermediates === true ? 0 : (options.extractorChunkFrames ?? DEFAULT_EXTRACTOR_CHUNK_FRAMES);
  let x = chunkFrames > 0 ? extractInChunks(g, { waveform, batch, channels: C, chunkFrames, config, extract }) : extract(g, waveform);
  debug(x, 'conv_features', ['batch', 'frames', C]);

  // ---- 2. project_features: LayerNorm(C) + Linear(C -> D) ----
  x = layerNorm(x, w(`${AUDIO}.project_features.1.weight`, [C]), w(`${AUDIO}.project_features.1.bias`, [C]), TORCH_LAYER_NORM_EPS);
  x = linear(x, `${AUDIO}.project_features.2`, C, D);
  debug(x, 'projected', ['batch', 'frames', D]);

  // ---- 3. relative positional encoder: x + relpos(x) ----
  const onesD = g.floats('ones_d', new Float32Array(D).fill(1));
  const zerosD = g.floats('zeros_d', new Float32Array(D));
  let pos = x;
  for (let j = 1; j <= audio.convPosDepth; j++) {
    const p = `${AUDIO}.relative_positional_encoder.${j}.0`;
    const conv = g.op(
      'Conv',
      [toChannelsFirst(pos), w(`${p}.weight`, [D, D / audio.convPosGroups, posKernel]), w(`${p}.bias`, [D])],
      {
        kernel_shape: attr.ints([posKernel]),
        pads: attr.ints([posKernel >> 1, posKernel >> 1]),
        group: attr.int(audio.convPosGroups),
      },
    );
    pos = gelu(layerNorm(toChannelsLast(conv), onesD, zerosD, TORCH_LAYER_NORM_EPS));
  }
  debug(pos, 'relative_pos', ['batch', 'frames', D]);
  x = g.op('Add', [x, pos]);

  // ---- 4. ALiBi bias: -|i - j| * slope_h * max(scale_h, 0), zero for extra-token rows / columns ----
  const attention = options.attention ?? 'ort-mha';
  const attentionChunk = options.intermediates === true || attention === 'onnx' ? 0 : (options.attentionChunkTokens ?? DEFAULT_ATTENTION_CHUNK_TOKENS);
  // -slope_h * max(scale_h, 0) per head: the learned scale is a constant at inference, so the
  // bias is one distance x coefficient product (clamp_min(0): a negative scale switches a head off)
  const slopes = alibiSlopes(H);
  const headCoefficients = g.weight(`${AUDIO}.alibi_scale.head_coefficients`, DataType.FLOAT, [1, H, 1, 1], async () => {
    const s = await weights.read(`${AUDIO}.alibi_scale`);
    return Float32Array.from(s, (v, h) => -slopes[h]! * (v > 0 ? v : 0));
  });
  let alibi: string | undefined;
  if (attentionChunk === 0) {
    // the whole [1, H, E+T', E+T'] bias, once per length, shared by every block
    const frames = g.op('Shape', [x], { start: attr.int(1), end: attr.int(2) });
    const framesF = g.op('Squeeze', [g.op('Cast', [frames], { to: attr.int(DataType.FLOAT) }), g.int64s('axis0', [0])]);
    const positions = g.op('Range', [g.scalar('zero', 0), framesF, one]);
    const distance = g.op('Abs', [g.op('Sub', [g.op('Unsqueeze', [positions, g.int64s('axis1b', [1])]), positions])]);
    alibi = g.op('Mul', [g.op('Unsqueeze', [distance, g.int64s('axes01', [0, 1])]), headCoefficients]);
    if (numExtra > 0) alibi = g.op('Pad', [alibi, g.int64s('alibi_pads', [0, 0, numExtra, numExtra, 0, 0, 0, 0])]);
    debug(alibi, 'alibi_bias', [1, H, 'tokens', 'tokens']);
  }

  // ---- 5. extra tokens ----
  if (numExtra > 0) {
    const tokens = w(`${AUDIO}.extra_tokens`, [1, numExtra, D]);
    const expandShape = g.op('Concat', [batch, g.int64s('ones2', [1, 1])], { axis: attr.int(0) });
    x = g.op('Concat', [g.op('Expand', [tokens, expandShape]), x], { axis: attr.int(1) });
  }

  debug(x, 'prenet_input', ['batch', 'tokens', D]);

  // ---- 6. context_encoder.norm, prenet blocks, main blocks ----
  const eps = config.normEps;
  x = layerNorm(x, w(`${AUDIO}.context_encoder.norm.weight`, [D]), w(`${AUDIO}.context_encoder.norm.bias`, [D]), eps);
  const scale = headDim ** -0.5;
  const attendBlocks = attentionChunk === 0 ? undefined : blockedAttention(g, { batch, tokens: g.op('Shape', [x], { start: attr.int(1), end: attr.int(2) }), dim: D, heads: H, scale, chunkTokens: attentionChunk, biasRows: alibiRows(g, { x, numExtra, headCoefficients }) });
  const qkvSplit = g.int64s('qkv_split', [D, D, D]);
  const plain =
    attention === 'onnx'
      ? { headShape: g.int64s('head_shape', [0, 0, H, headDim]), mergeShape: g.int64s('merge_shape', [0, 0, D]), qScale: g.scalar('q_scale', scale) }
      : undefined;
  /** Multi-head self-attention with the shared ALiBi bias, from the packed qkv projection [B, S, 3D] to [B, S, D]. */
  const selfAttention = (qkv: string): string => {
    const [q, k, v] = g.node('Split', [qkv, qkvSplit], { axis: attr.int(-1) }, { outputCount: 3 }) as [string, string, string];
    if (attendBlocks !== undefined) return attendBlocks(q, k, v);
    if (plain === undefined) {
      // softmax(scale * q k^T + bias) v in one ORT kernel; the bias [1, H, S, S] broadcasts over the batch
      return g.op('MultiHeadAttention', [q, k, v, '', '', alibi!], { num_heads: attr.int(H), scale: attr.float(scale) }, { domain: 'com.microsoft' });
    }
    const heads = (t: string, perm: number[]): string =>
      g.op('Transpose', [g.op('Reshape', [t, plain.headShape])], { perm: attr.ints(perm) });
    const qh = g.op('Mul', [heads(q, [0, 2, 1, 3]), plain.qScale]); // [B, H, S, hd], scaled before q @ k^T as the reference does
    const kt = heads(k, [0, 2, 3, 1]); // [B, H, hd, S]
    const vh = heads(v, [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('MatMul', [qh, kt]), alibi!]); // a plain Add: no in-place Slice/ScatterND update
    const probs = g.op('Softmax', [scores], { axis: attr.int(-1) });
    const ctx = g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: attr.ints([0, 2, 1, 3]) });
    return g.op('Reshape', [ctx, plain.mergeShape]);
  };
  const hidden = Math.trunc(D * config.mlpRatio);
  const block = (p: string): void => {
    const ctx = selfAttention(linear(x, `${p}.attn.qkv`, D, 3 * D));
    const attn = linear(ctx, `${p}.attn.proj`, D, D);
    x = layerNorm(g.op('Add', [x, attn]), w(`${p}.norm1.weight`, [D]), w(`${p}.norm1.bias`, [D]), eps);
    const mlp = linear(gelu(linear(x, `${p}.mlp.fc1`, D, hidden)), `${p}.mlp.fc2`, hidden, D);
    x = layerNorm(g.op('Add', [x, mlp]), w(`${p}.norm2.weight`, [D]), w(`${p}.norm2.bias`, [D]), eps);
  };
  for (let i = 0; i < audio.prenetDepth; i++) block(`${AUDIO}.context_encoder.blocks.${i}`);
  debug(x, 'prenet_output', ['batch', 'tokens', D]);
  for (let i = 0; i < config.depth; i++) {
    block(`blocks.${i}`);
    debug(x, `block${i}_out`, ['batch', 'tokens', D]);
  }

  // ---- 7. outputs ----
  const frameFeatures =
    numExtra > 0
      ? g.op('Slice', [x, g.int64s('slice_start', [numExtra]), g.int64s('slice_end', [Number.MAX_SAFE_INTEGER]), g.int64s('axis1c', [1])])
      : x;
  g.output(frameFeatures, 'frames', DataType.FLOAT, ['batch', 'frames', D], 'frame features [batch, frames, D], extra tokens removed');
  const embedding = g.op('ReduceMean', [frameFeatures], { axes: attr.ints([1]), keepdims: attr.int(0) });
  g.output(embedding, 'embedding', DataType.FLOAT, ['batch', D], 'mean of frames over time');
  let logits = linear(embedding, 'proj', D, numLabels);
  const masked = options.maskedLabelIndices ?? [];
  if (masked.length > 0) {
    const mask = new Float32Array(numLabels);
    for (const i of masked) {
      if (!Number.isInteger(i) || i < 0 || i >= numLabels) throw new RangeError(`masked label index ${i} is out of range`);
      mask[i] = Number.NEGATIVE_INFINITY;
    }
    logits = g.op('Add', [logits, g.floats('label_mask', mask)]);
  }
  g.output(logits, 'logits', DataType.FLOAT, ['batch', numLabels], masked.length > 0 ? 'proj logits, masked labels at -inf' : 'proj logits');
  return g;
}
