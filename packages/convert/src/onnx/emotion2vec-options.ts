/**
 * What `buildEmotion2vecGraph` (emotion2vec-graph.ts) is asked to build: the configuration, where the weights come
 * from, the variant (fp32 / int8), the attention implementation and the loop sizes.
 * @module
 */
import type { Emotion2vecConfig } from '../config/types.js';

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

/** Options of `buildEmotion2vecGraph`. */
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
   * masking) in `logits` and `frame_logits`, so a softmax gives them probability 0.
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
