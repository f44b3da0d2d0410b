/**
 * Every tensor an emotion2vec+ model (FunASR `Emotion2vec` over data2vec 2.0)
 * needs, by normalized name (no `d2v_model.` prefix), in the release's file
 * order, with its shape and role.
 * @module
 */
import type { Emotion2vecConfig } from './types.js';

/** What a tensor is, which decides how a random model initializes it. */
export type TensorRole =
  | 'weight' // Linear or Conv1d weight
  | 'bias' // Linear or Conv1d bias
  | 'norm-weight' // LayerNorm gain
  | 'norm-bias' // LayerNorm shift
  | 'extra-tokens'
  | 'alibi-scale';

/** One tensor of the model. */
export interface TensorSpec {
  /** Normalized name, e.g. `blocks.0.attn.qkv.weight`. */
  name: string;
  /** Shape as stored in the checkpoint. */
  shape: number[];
  /** Kind of parameter. */
  role: TensorRole;
}

/** Prefix of the audio modality encoder's tensors. */
export const AUDIO_PREFIX = 'modality_encoders.AUDIO.';

/**
 * Name prefixes of the modules the converter uses. A tensor under one of
 * them that the config does not predict (e.g. a block beyond `depth`) means
 * the config and checkpoint disagree; tensors elsewhere (e.g. the training
 * decoder) are not used.
 */
export const MODEL_SCOPES: readonly string[] = [
  `${AUDIO_PREFIX}extra_tokens`,
  `${AUDIO_PREFIX}alibi_scale`,
  `${AUDIO_PREFIX}local_encoder.`,
  `${AUDIO_PREFIX}project_features.`,
  `${AUDIO_PREFIX}relative_positional_encoder.`,
  `${AUDIO_PREFIX}context_encoder.`,
  'blocks.',
  'proj.',
];

/**
 * Kernel of each relative positional conv layer, as data2vec 2.0 computes it:
 * `max(3, conv_pos_width // conv_pos_depth)`.
 * @param config parsed config
 */
export function convPosKernel(config: Emotion2vecConfig): number {
  return Math.max(3, Math.floor(config.audio.convPosWidth / config.audio.convPosDepth));
}

function linear(specs: TensorSpec[], name: string, outputs: number, inputs: number): void {
  specs.push({ name: `${name}.weight`, shape: [outputs, inputs], role: 'weight' }, { name: `${name}.bias`, shape: [outputs], role: 'bias' });
}

function layerNorm(specs: TensorSpec[], name: string, dim: number): void {
  specs.push({ name: `${name}.weight`, shape: [dim], role: 'norm-weight' }, { name: `${name}.bias`, shape: [dim], role: 'norm-bias' });
}

/** A post-LN transformer block: norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2 (file order). */
function block(specs: TensorSpec[], prefix: string, config: Emotion2vecConfig): void {
  const dim = config.embedDim;
  const hidden = Math.trunc(dim * config.mlpRatio);
  layerNorm(specs, `${prefix}norm1`, dim);
  linear(specs, `${prefix}attn.qkv`, 3 * dim, dim);
  linear(specs, `${prefix}attn.proj`, dim, dim);
  layerNorm(specs, `${prefix}norm2`, dim);
  linear(specs, `${prefix}mlp.fc1`, hidden, dim);
  linear(specs, `${prefix}mlp.fc2`, dim, hidden);
}

/**
 * Lists the model's tensors (185 for emotion2vec_plus_large) in the order
 * the release stores them.
 * @param config parsed config
 * @param numLabels rows of the `proj` head (labels in tokens.txt)
 */
export function modelTensorSpecs(config: Emotion2vecConfig, numLabels: number): TensorSpec[] {
  const { embedDim: dim, audio } = config;
  const specs: TensorSpec[] = [
    { name: `${AUDIO_PREFIX}extra_tokens`, shape: [1, audio.numExtraTokens, dim], role: 'extra-tokens' },
    { name: `${AUDIO_PREFIX}alibi_scale`, shape: [1, 1, audio.numAlibiHeads, 1, 1], role: 'alibi-scale' },
  ];
  let inChannels = 1;
  audio.featureEncoderSpec.forEach(([channels, kernel], i) => {
    const conv = `${AUDIO_PREFIX}local_encoder.conv_layers.${i}`;
    specs.push({ name: `${conv}.0.weight`, shape: [channels, inChannels, kernel], role: 'weight' });
    layerNorm(specs, `${conv}.2.1`, channels);
    inChannels = channels;
  });
  layerNorm(specs, `${AUDIO_PREFIX}project_features.1`, inChannels);
  linear(specs, `${AUDIO_PREFIX}project_features.2`, dim, inChannels);
  const kernel = convPosKernel(config);
  for (let i = 1; i <= audio.convPosDepth; i++) {
    const conv = `${AUDIO_PREFIX}relative_positional_encoder.${i}.0`;
    specs.push(
      { name: `${conv}.weight`, shape: [dim, dim / audio.convPosGroups, kernel], role: 'weight' },
      { name: `${conv}.bias`, shape: [dim], role: 'bias' },
    );
  }
  for (let i = 0; i < audio.prenetDepth; i++) block(specs, `${AUDIO_PREFIX}context_encoder.blocks.${i}.`, config);
  layerNorm(specs, `${AUDIO_PREFIX}context_encoder.norm`, dim);
  for (let i = 0; i < config.depth; i++) block(specs, `blocks.${i}.`, config);
  linear(specs, 'proj', numLabels, dim);
  return specs;
}
