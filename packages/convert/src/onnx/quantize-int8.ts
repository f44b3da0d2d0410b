/**
 * Dynamic int8 quantization of linear layers, done by e2v itself: weights are
 * quantized per output channel, symmetric int8 (zero point 0, range
 * [-127, 127]); activations are quantized at run time per tensor to uint8 by
 * `DynamicQuantizeLinear`. The emitted pattern
 * `DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul(scales) -> Add(bias)`
 * is plain ONNX, and ORT's optimizer fuses it into its `DynamicQuantizeMatMul`
 * kernel (checked on the optimized graph: every linear becomes one
 * DynamicQuantizeMatMul). Only MatMul weights are quantized (ORT has no fast
 * int8 conv path); convs, LayerNorms, attention and the ALiBi bias stay float32.
 *
 * Caveats: the activation range is taken over the whole input tensor, so an
 * utterance's int8 result depends slightly on what else is in its batch; and
 * on x86 CPUs without VNNI, ORT's u8s8 kernels can saturate int16 partial sums
 * (ORT's own `quantize_dynamic` has the same default: int8 weights, full range).
 * @module
 */
import type { GraphBuilder } from './graph.js';
import { DataType } from './onnx-proto.js';

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
 * max|w| / 127 in float32 (1 for a column whose scale would be 0), values =
 * round(w / scale) clamped to [-127, 127].
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
    const scale = Math.fround(absMax[n]! / 127);
    // an all-zero (or all-subnormal) column has no usable scale: 1 keeps it at 0
    scales[n] = scale > 0 && Number.isFinite(scale) ? scale : 1;
  }
  const values = new Int8Array(rows * cols);
  for (let k = 0; k < rows; k++) {
    const row = k * cols;
    for (let n = 0; n < cols; n++) {
      const q = roundHalfEven(w[row + n]! / scales[n]!);
      values[row + n] = q > 127 ? 127 : q < -127 ? -127 : q;
    }
  }
  return { values, scales };
}

/** A linear layer `y = x W^T + b` to emit, with lazily read weights. */
export interface LinearLayer {
  /** Name prefix for the weights in the ONNX file (e.g. `blocks.0.attn.qkv`). */
  name: string;
  inFeatures: number;
  outFeatures: number;
  /** Reads the weight transposed to `[inFeatures, outFeatures]`. */
  readWeightT: () => Promise<Float32Array>;
  /** Reads the bias `[outFeatures]`. */
  readBias: () => Promise<Float32Array>;
}

/** Emits `x @ W^T + b` with float32 weights (pre-transposed, MatMul + Add). */
export function emitLinearFp32(g: GraphBuilder, x: string, layer: LinearLayer): string {
  const w = g.weight(`${layer.name}.weight_t`, DataType.FLOAT, [layer.inFeatures, layer.outFeatures], layer.readWeightT);
  const b = g.weight(`${layer.name}.bias`, DataType.FLOAT, [layer.outFeatures], layer.readBias);
  return g.op('Add', [g.op('MatMul', [x, w]), b]);
}

/**
 * Emits `x @ W^T + b` with per-channel int8 weights and dynamically quantized
 * activations. The weight is read once; its scales are kept until the model
 * writer asks for them (they are registered right after the int8 values).
 */
export function emitLinearInt8(g: GraphBuilder, x: string, layer: LinearLayer): string {
  let pendingScales: Float32Array | undefined;
  const wq = g.weight(`${layer.name}.weight_t_int8`, DataType.INT8, [layer.inFeatures, layer.outFeatures], async () => {
    const q = quantizeInt8PerColumn(await layer.readWeightT(), layer.inFeatures, layer.outFeatures);
    pendingScales = q.scales;
    return q.values;
  });
  const ws = g.weight(`${layer.name}.weight_scale`, DataType.FLOAT, [layer.outFeatures], () => {
    if (pendingScales === undefined) throw new RangeError(`scales of ${layer.name} requested before its weights`);
    const s = pendingScales;
    pendingScales = undefined;
    return s;
  });
  const b = g.weight(`${layer.name}.bias`, DataType.FLOAT, [layer.outFeatures], layer.readBias);
  const [xq, xScale, xZero] = g.node('DynamicQuantizeLinear', [x], {}, { outputCount: 3 }) as [string, string, string];
  const acc = g.op('MatMulInteger', [xq, wq, xZero]);
  const accF = g.op('Cast', [acc], { to: { kind: 'int', value: DataType.FLOAT } });
  const scale = g.op('Mul', [xScale, ws]);
  return g.op('Add', [g.op('Mul', [accF, scale]), b]);
}
