/**
 * The parts of an emotion2vec+ `config.yaml` and `tokens.txt` the converter uses.
 * @module
 */

/** One conv layer of the feature extractor: (channels, kernel, stride). */
export type ConvLayerSpec = readonly [channels: number, kernel: number, stride: number];

/** Validated model configuration (unsupported settings are rejected when parsing). */
export interface Emotion2vecConfig {
  /** `model_conf.embed_dim` (D). */
  embedDim: number;
  /** `model_conf.depth`: main transformer blocks. */
  depth: number;
  /** `model_conf.num_heads`. */
  numHeads: number;
  /** `model_conf.mlp_ratio`. */
  mlpRatio: number;
  /** `model_conf.norm_eps`. */
  normEps: number;
  /** `model_conf.normalize`: whole-utterance layer norm of the waveform before the network. */
  normalize: boolean;
  /** `model_conf.modalities.audio.*`. */
  audio: {
    /** `feature_encoder_spec`, parsed. */
    featureEncoderSpec: readonly ConvLayerSpec[];
    /** `conv_pos_width` (kernel = width / depth). */
    convPosWidth: number;
    /** `conv_pos_depth`. */
    convPosDepth: number;
    /** `conv_pos_groups`. */
    convPosGroups: number;
    /** `prenet_depth`: blocks of the context encoder. */
    prenetDepth: number;
    /** `num_extra_tokens`. */
    numExtraTokens: number;
    /** `num_alibi_heads`. */
    numAlibiHeads: number;
  };
}
