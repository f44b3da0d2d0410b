/**
 * The building blocks every step of the emotion2vec+ graph uses: checkpoint weights by name,
 * linear layers in the graph's variant (fp32 or int8), LayerNorm, exact GELU, the channels-first
 * transpose, and the `intermediates` debug outputs.
 * @module
 */
import type { Emotion2vecConfig } from '../config/types.js';
import type { Emotion2vecGraphOptions } from './emotion2vec-options.js';
import { type GraphBuilder, attr } from './graph.js';
import { DataType } from './onnx-proto.js';
import { type LinearLayer, emitLinearFp32, emitLinearInt8 } from './quantize-int8.js';

/** Checkpoint name prefix of the audio modality encoder. */
export const AUDIO = 'modality_encoders.AUDIO';

/** eps of the extractor's Fp32LayerNorm and of the positional encoder's LayerNorm (torch default). */
export const TORCH_LAYER_NORM_EPS = 1e-5;

/** The graph being built, its options, and the building blocks of its steps. */
export interface Emotion2vecOps {
  /** The model graph. */
  g: GraphBuilder;
  options: Emotion2vecGraphOptions;
  config: Emotion2vecConfig;
  /** The float32 scalar 1. */
  one: string;
  /** A float32 checkpoint tensor of shape `dims`, stored as a weight. */
  w(name: string, dims: readonly number[]): string;
  /** The checkpoint's linear layer `name` (torch weight [out, in] + bias) as a {@link LinearLayer}. */
  linearLayer(name: string, inFeatures: number, outFeatures: number): LinearLayer;
  /** `x @ W^T + b` of the checkpoint's linear layer `name`, in the graph's variant. */
  linear(x: string, name: string, inFeatures: number, outFeatures: number): string;
  /** LayerNormalization over the last axis, emitted into `b` (default the model graph). */
  layerNorm(x: string, scale: string, bias: string, eps: number, b?: GraphBuilder): string;
  /** Exact GELU, emitted into `b` (default the model graph). */
  gelu(x: string, b?: GraphBuilder): string;
  /** [B, L, C] <-> [B, C, L]: Conv wants channels first, LayerNormalization normalizes the last axis. */
  swapLastAxes(x: string): string;
  /** Outputs `value` as `name` when `intermediates` are asked for. */
  debug(value: string, name: string, shape: readonly (number | string)[]): void;
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
 * The building blocks over graph `g`. Weights are not read here: each is read from
 * `options.weights` when the model writer asks for it.
 */
export function emotion2vecOps(g: GraphBuilder, options: Emotion2vecGraphOptions): Emotion2vecOps {
  const { weights } = options;
  const variant = options.variant ?? 'fp32';
  const sqrt2 = g.scalar('sqrt2', Math.SQRT2);
  const half = g.scalar('half', 0.5);
  const one = g.scalar('one', 1);
  const linearLayer = (name: string, inFeatures: number, outFeatures: number): LinearLayer => ({
    name,
    inFeatures,
    outFeatures,
    readWeightT: async () => transpose2d(await weights.read(`${name}.weight`), outFeatures, inFeatures),
    readBias: () => weights.read(`${name}.bias`),
  });
  return {
    g,
    options,
    config: options.config,
    one,
    w: (name, dims) => g.weight(name, DataType.FLOAT, dims, () => weights.read(name)),
    linearLayer,
    linear: (x, name, inFeatures, outFeatures) => {
      const layer = linearLayer(name, inFeatures, outFeatures);
      return variant === 'int8' ? emitLinearInt8(g, x, layer) : emitLinearFp32(g, x, layer);
    },
    layerNorm: (x, scale, bias, eps, b = g) => b.op('LayerNormalization', [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(eps) }),
    // (x * (1 + erf(x / sqrt 2))) * 0.5: the pattern ORT's GeluFusion turns into one Gelu kernel
    gelu: (x, b = g) => b.op('Mul', [b.op('Mul', [x, b.op('Add', [b.op('Erf', [b.op('Div', [x, sqrt2])]), one])]), half]),
    swapLastAxes: (x) => g.op('Transpose', [x], { perm: attr.ints([0, 2, 1]) }),
    debug: (value, name, shape) => {
      if (options.intermediates === true) g.output(value, name, DataType.FLOAT, shape);
    },
  };
}
