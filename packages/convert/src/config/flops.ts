/**
 * How much arithmetic one forward pass of an emotion2vec model costs: the yardstick of the
 * engine benchmark's efficiency figure (FLOPs per audio second / the CPU's measured peak sgemm /
 * the real-time factor), which lets figures from different CPUs be compared.
 * @module
 */
import { convPosKernel } from './tensor-specs.js';
import type { Emotion2vecConfig } from './types.js';

/** FLOPs of one forward pass, by part (a multiply-add counts as 2). */
export interface ForwardFlops {
  /** The conv feature extractor (every layer, bias-free). */
  extractor: number;
  /** `project_features` and the relative positional convolutions. */
  positional: number;
  /** The linear layers of every transformer block (qkv, proj, fc1, fc2). */
  linear: number;
  /** Attention products, q k^T and p v, over all heads. */
  attention: number;
  total: number;
}

/**
 * Counts the FLOPs of one forward pass over `samples` 16 kHz samples: the matrix products of the
 * conv extractor, the feature projection, the positional convolutions, the transformer blocks'
 * linear layers and attention (S = frames + extra tokens). Element-wise work (LayerNorm, GELU,
 * softmax, the ALiBi bias) and the label head are left out: they are well under 1% of the total.
 * emotion2vec+ large at 20 s: 23.3 GFLOP per audio second.
 */
export function forwardFlops(config: Emotion2vecConfig, samples: number): ForwardFlops {
  let length = samples;
  let channelsIn = 1;
  let extractor = 0;
  for (const [channels, kernel, stride] of config.audio.featureEncoderSpec) {
    length = Math.floor((length - kernel) / stride) + 1;
    extractor += 2 * length * channels * kernel * channelsIn;
    channelsIn = channels;
  }
  const frames = Math.max(0, length);
  const D = config.embedDim;
  const { convPosDepth, convPosGroups, prenetDepth, numExtraTokens } = config.audio;
  const positional = 2 * frames * channelsIn * D + convPosDepth * 2 * frames * D * (D / convPosGroups) * convPosKernel(config);
  const tokens = frames + numExtraTokens;
  const hidden = Math.trunc(D * config.mlpRatio);
  const blocks = prenetDepth + config.depth;
  const linear = blocks * 2 * tokens * (3 * D * D + D * D + 2 * D * hidden);
  const attention = blocks * 2 * 2 * tokens * tokens * D;
  return { extractor, positional, linear, attention, total: extractor + positional + linear + attention };
}
