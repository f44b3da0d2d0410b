/**
 * Steps 1 to 3 of the emotion2vec+ graph, from the waveform to the encoder's input frames:
 * the conv feature extractor, `project_features`, and the relative positional term
 * (see emotion2vec-graph.ts for the whole forward pass).
 * @module
 */
import { convPosKernel } from '../config/tensor-specs.js';
import { type Emotion2vecOps, AUDIO, TORCH_LAYER_NORM_EPS } from './emotion2vec-ops.js';
import { DEFAULT_EXTRACTOR_CHUNK_FRAMES } from './emotion2vec-options.js';
import { extractInChunks } from './extractor-loop.js';
import { type GraphBuilder, attr } from './graph.js';
import { convWeightAsMatrix, im2col } from './im2col.js';
import { type LinearLayer, emitLinearFp32 } from './quantize-int8.js';

/**
 * Step 1, the conv feature extractor: [B, N] -> [B, T', C]. Channels last throughout: each
 * bias-free Conv1d is a MatMul over the im2col rows (frames x kernel * channels), so
 * LayerNormalization needs no transposes and the product runs as a pre-packed GEMM (the extractor
 * stays float32 in the int8 variant). Weights and constants live in the main graph; the chunk
 * `Loop`'s body uses them by name.
 * @param ops the graph and its building blocks
 * @param waveform the graph input [B, N]
 * @param batch `Shape(waveform)[0:1]`
 * @returns the features [B, T', C] and C
 */
export function featureExtractor(ops: Emotion2vecOps, waveform: string, batch: string): { features: string; channels: number } {
  const { g, config, options } = ops;
  const spec = config.audio.featureEncoderSpec;
  let channelsIn = 1;
  const convLayers = spec.map(([channels, kernel, stride], i) => {
    const p = `${AUDIO}.local_encoder.conv_layers.${i}`;
    const inChannels = channelsIn;
    channelsIn = channels;
    return {
      channels,
      kernel,
      stride,
      inChannels,
      linear: {
        name: `${p}.0`,
        inFeatures: kernel * inChannels,
        outFeatures: channels,
        readWeightT: async () => convWeightAsMatrix(await options.weights.read(`${p}.0.weight`), channels, inChannels, kernel),
      } satisfies LinearLayer,
      lnScale: ops.w(`${p}.2.1.weight`, [channels]),
      lnBias: ops.w(`${p}.2.1.bias`, [channels]),
    };
  });
  const channels = channelsIn;
  const lastAxis = g.int64s('last_axis', [-1]);
  /** The extractor on `wave` [B, n] in builder `b`: [B, frames, C]. */
  const extract = (b: GraphBuilder, wave: string): string => {
    let x = b.op('Unsqueeze', [wave, lastAxis]); // [B, n, 1]
    convLayers.forEach((layer, i) => {
      const rows = im2col(g, b, x, { kernel: layer.kernel, stride: layer.stride, channels: layer.inChannels, name: `conv${i}` });
      const conv = emitLinearFp32(g, rows, layer.linear, b);
      x = ops.gelu(ops.layerNorm(conv, layer.lnScale, layer.lnBias, TORCH_LAYER_NORM_EPS, b), b);
      if (b === g) ops.debug(x, `conv_layer${i}_out`, ['batch', `conv${i}_frames`, layer.channels]);
    });
    return x;
  };
  const chunkFrames = options.intermediates === true ? 0 : (options.extractorChunkFrames ?? DEFAULT_EXTRACTOR_CHUNK_FRAMES);
  const features = chunkFrames > 0 ? extractInChunks(g, { waveform, batch, channels, chunkFrames, config, extract }) : extract(g, waveform);
  ops.debug(features, 'conv_features', ['batch', 'frames', channels]);
  return { features, channels };
}

/**
 * Step 2, `project_features`: LayerNorm(C) + Linear(C -> D).
 * @param ops the graph and its building blocks
 * @param features [B, T', C]
 * @param channels C
 * @returns [B, T', D]
 */
export function projectFeatures(ops: Emotion2vecOps, features: string, channels: number): string {
  const D = ops.config.embedDim;
  const p = `${AUDIO}.project_features`;
  const normed = ops.layerNorm(features, ops.w(`${p}.1.weight`, [channels]), ops.w(`${p}.1.bias`, [channels]), TORCH_LAYER_NORM_EPS);
  const x = ops.linear(normed, `${p}.2`, channels, D);
  ops.debug(x, 'projected', ['batch', 'frames', D]);
  return x;
}

/**
 * Step 3, the relative positional encoder: `x + relpos(x)`, where relpos is `conv_pos_depth`
 * times a grouped Conv1d (kernel `conv_pos_width / conv_pos_depth`, "same" padding), LayerNorm
 * without affine, GELU.
 * @param ops the graph and its building blocks
 * @param x [B, T', D]
 * @returns [B, T', D]
 */
export function addRelativePositions(ops: Emotion2vecOps, x: string): string {
  const { g, config } = ops;
  const { audio } = config;
  const D = config.embedDim;
  const posKernel = convPosKernel(config);
  const onesD = g.floats('ones_d', new Float32Array(D).fill(1));
  const zerosD = g.floats('zeros_d', new Float32Array(D));
  let pos = x;
  for (let j = 1; j <= audio.convPosDepth; j++) {
    const p = `${AUDIO}.relative_positional_encoder.${j}.0`;
    const conv = g.op('Conv', [ops.swapLastAxes(pos), ops.w(`${p}.weight`, [D, D / audio.convPosGroups, posKernel]), ops.w(`${p}.bias`, [D])], {
      kernel_shape: attr.ints([posKernel]),
      pads: attr.ints([posKernel >> 1, posKernel >> 1]),
      group: attr.int(audio.convPosGroups),
    });
    pos = ops.gelu(ops.layerNorm(ops.swapLastAxes(conv), onesD, zerosD, TORCH_LAYER_NORM_EPS));
  }
  ops.debug(pos, 'relative_pos', ['batch', 'frames', D]);
  return g.op('Add', [x, pos]);
}
