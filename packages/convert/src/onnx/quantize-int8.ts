/**
 * Dynamic int8 quantization of linear layers, done by e2v itself: weights are
 * quantized per output channel, symmetric, in a 7-bit range (zero point 0, values
 * in [-64, 64], see {@link INT8_WEIGHT_LIMIT}); activations are quantized at run time per
 * tensor to uint8 by `DynamicQuantizeLinear`. The emitted pattern
 * `DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul(scales) -> Add(bias)`
 * is plain ONNX, and ORT's optimizer fuses it into its `DynamicQuantizeMatMul`
 * kernel (checked on the optimized graph: every linear becomes one
 * DynamicQuantizeMatMul). Only MatMul weights are quantized (ORT has no fast
 * int8 conv path); convs, LayerNorms, attention and the ALiBi bias stay float32. A layer can
 * also keep float activations with int8-stored weights ({@link linearWeightDequantized}: the
 * `proj` head, so that its frame and utterance logits agree).
 *
 * Why 7 bits: on x86 CPUs without VNNI (AVX2 only: Haswell to Zen 3, most laptops), ORT's
 * u8 x s8 kernels multiply with `vpmaddubsw`, which adds each pair of u8 x s8 products into a
 * saturating int16. With full-range weights a pair reaches 2 x 255 x 127 = 64770 and clips at
 * 32767; VNNI CPUs (`vpdpbusd`) accumulate in int32 and never clip, so the same model gave
 * different answers on the two kinds of CPU (tiny-a: max score difference int8 vs fp32 0.034 on
 * AVX2, 0.012 on VNNI). With |w| <= 64 a pair is at most 2 x 255 x 64 = 32640, so every
 * integer product is exact on every CPU (ORT's `quantize_dynamic` calls this `reduce_range`).
 *
 * Caveat: the activation range is taken over the whole input tensor, so an utterance's int8
 * result depends slightly on what else is in its batch.
 * @module
 */
import type { GraphBuilder } from './graph.js';
import { DataType } from './onnx-proto.js';

/**
 * Largest quantized weight magnitude: 2 x 255 x 64 = 32640 fits the int16 pair sums of AVX2's
 * `vpmaddubsw`, so integer products are exact with and without VNNI.
 */
export const INT8_WEIGHT_LIMIT = 64;

/** Per-channel symmetric int8 weights of a `[K, N]` (input x output) matrix. */
export interface Int8Weights {
  /** Quantized values, `[K, N]` row-major. */
  values: Int8Array;
  /** One scale per output column: `w ≈ values * scale`. */
  scales: Float32Array;
}

/** Rounds half to even, like ONNX `QuantizeLinear`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Quantizes a `[K, N]` float matrix per column (output channel): scale =
 * max|w| / {@link INT8_WEIGHT_LIMIT} in float32 (1 for a column whose scale would be 0), values =
 * round(w / scale) clamped to [-64, 64].
 * @throws RangeError when the array size is not K * N
 */
export function quantizeInt8PerColumn(w: Float32Array, rows: number, cols: number): Int8Weights {
  if (w.length !== rows * cols) {
    throw new RangeError(`Expected ${rows * cols} weights for [${rows}, ${cols}] but received ${w.length}`);
  }
  const absMax = new Float64Array(cols);
  for (let k = 0; k < rows; k++) {
    const row = k * cols;
    for (let n = 0; n < cols; n++) {
      const a = Math.abs(w[row + n]!);
      if (a > absMax[n]!) absMax[n] = a;
    }
  }
  const scales = new Float32Array(cols);
  for (let n = 0; n < cols; n++) {
    const scale = Math.fround(absMax[n]! / INT8_WEIGHT_LIMIT);
    // an all-zero (or all-subnormal) column has no usable scale: 1 keeps it at 0
    scales[n] = scale > 0 && Number.isFinite(scale) ? scale : 1;
  }
  const values = new Int8Array(rows * cols);
  for (let k = 0; k < rows; k++) {
    const row = k * cols;
    for (let n = 0; n < cols; n++) {
      const q = roundHalfEven(w[row + n]! / scales[n]!);
      values[row + n] = q > INT8_WEIGHT_LIMIT ? INT8_WEIGHT_LIMIT : Math.max(q, -INT8_WEIGHT_LIMIT);
    }
  }
  return { values, scales };
}

/** A linear layer `y = x W^T (+ b)` to emit, with lazily read weights. */
export interface LinearLayer {
  /** Name prefix for the weights in the ONNX file (e.g. `blocks.0.attn.qkv`). */
  name: string;
  inFeatures: number;
  outFeatures: number;
  /** Reads the weight transposed to `[inFeatures, outFeatures]`. */
  readWeightT: () => Promise<Float32Array>;
  /** Reads the bias `[outFeatures]`; absent for a layer without bias. */
  readBias?: () => Promise<Float32Array>;
}

/**
 * Registers a layer's float32 weight, pre-transposed: `<name>.weight_t` [inFeatures, outFeatures].
 * @param g the graph that holds the weights
 */
export function linearWeightFp32(g: GraphBuilder, layer: LinearLayer): string {
  return g.weight(`${layer.name}.weight_t`, DataType.FLOAT, [layer.inFeatures, layer.outFeatures], layer.readWeightT);
}

/**
 * Registers a layer's per-column int8 weight `<name>.weight_t_int8` [inFeatures, outFeatures] and
 * its scales `<name>.weight_scale` [outFeatures]. The weight is read once; its scales are kept
 * until the model writer asks for them (they are registered right after the int8 values).
 * @param g the graph that holds the weights
 */
function linearWeightInt8(g: GraphBuilder, layer: LinearLayer): { values: string; scales: string } {
  let pendingScales: Float32Array | undefined;
  const values = g.weight(`${layer.name}.weight_t_int8`, DataType.INT8, [layer.inFeatures, layer.outFeatures], async () => {
    const q = quantizeInt8PerColumn(await layer.readWeightT(), layer.inFeatures, layer.outFeatures);
    pendingScales = q.scales;
    return q.values;
  });
  const scales = g.weight(`${layer.name}.weight_scale`, DataType.FLOAT, [layer.outFeatures], () => {
    if (pendingScales === undefined) throw new RangeError(`scales of ${layer.name} requested before its weights`);
    const s = pendingScales;
    pendingScales = undefined;
    return s;
  });
  return { values, scales };
}

/**
 * Registers a layer's weight stored as per-column int8 (like {@link emitLinearInt8}) and returns it
 * as a float32 [inFeatures, outFeatures] value, `Cast(values) * scales`: a product of initializers
 * only, which ONNX Runtime folds into one float constant when the session opens. For a small layer
 * that must give the same numbers on inputs of any size (activations stay float, unlike
 * {@link emitLinearInt8}'s per-tensor quantization).
 * @param g the graph that holds the weights
 */
export function linearWeightDequantized(g: GraphBuilder, layer: LinearLayer): string {
  const { values, scales } = linearWeightInt8(g, layer);
  return g.op('Mul', [g.op('Cast', [values], { to: { kind: 'int', value: DataType.FLOAT } }), scales]);
}

/**
 * Registers a layer's bias `<name>.bias` [outFeatures].
 * @param g the graph that holds the weights
 * @throws RangeError for a layer without bias
 */
export function linearBias(g: GraphBuilder, layer: LinearLayer): string {
  if (layer.readBias === undefined) throw new RangeError(`layer ${layer.name} has no bias`);
  return g.weight(`${layer.name}.bias`, DataType.FLOAT, [layer.outFeatures], layer.readBias);
}

/**
 * Emits `x @ W^T + b` with float32 weights (pre-transposed, MatMul + Add).
 * @param g the graph that holds the weights
 * @param into the builder the nodes go to (a `Loop` body of `g`; default `g`)
 */
export function emitLinearFp32(g: GraphBuilder, x: string, layer: LinearLayer, into: GraphBuilder = g): string {
  return addBias(g, into, into.op('MatMul', [x, linearWeightFp32(g, layer)]), layer);
}

/**
 * Emits `x @ W^T + b` with per-channel int8 weights and dynamically quantized activations.
 * @param g the graph that holds the weights
 * @param into the builder the nodes go to (a `Loop` body of `g`; default `g`)
 */
export function emitLinearInt8(g: GraphBuilder, x: string, layer: LinearLayer, into: GraphBuilder = g): string {
  const { values, scales } = linearWeightInt8(g, layer);
  const [xq, xScale, xZero] = into.node('DynamicQuantizeLinear', [x], {}, { outputCount: 3 }) as [string, string, string];
  const acc = into.op('MatMulInteger', [xq, values, xZero]);
  const accF = into.op('Cast', [acc], { to: { kind: 'int', value: DataType.FLOAT } });
  const scale = into.op('Mul', [xScale, scales]);
  return addBias(g, into, into.op('Mul', [accF, scale]), layer);
}

function addBias(g: GraphBuilder, into: GraphBuilder, y: string, layer: LinearLayer): string {
  return layer.readBias === undefined ? y : into.op('Add', [y, linearBias(g, layer)]);
}
