/**
 * A strided, bias-free Conv1d as a matrix product, channels last: the input [B, L, C] becomes
 * im2col rows [B, T, kernel * C] (row t holds input rows t * stride ... t * stride + kernel - 1,
 * kernel offset major, channel minor) and the torch weight [out, C, kernel] becomes a
 * [kernel * C, out] matrix, so the conv is one MatMul. ONNX Runtime pre-packs that matrix and
 * runs it as a GEMM near the CPU's peak, quantizes it like any linear layer in the int8 variant,
 * and the LayerNorm that follows each conv needs no [B, C, L] <-> [B, L, C] transposes.
 *
 * When the stride divides the kernel (emotion2vec's 10/5 and 2/2 layers), the rows come from a
 * reshape of the input into [B, L / stride, stride * C] blocks and kernel / stride shifted views
 * of it; otherwise (3/2) from `kernel` strided slices.
 * @module
 */
import { type GraphBuilder, attr } from './graph.js';

/**
 * Reorders a torch Conv1d weight `[out, in, kernel]` into the `[kernel * in, out]` matrix that
 * multiplies {@link im2col} rows: `M[j * in + c][o] = W[o][c][j]`.
 * @throws RangeError when the size does not match the shape
 */
export function convWeightAsMatrix(weight: Float32Array, outChannels: number, inChannels: number, kernel: number): Float32Array {
  if (weight.length !== outChannels * inChannels * kernel) {
    throw new RangeError(
      `Expected ${outChannels * inChannels * kernel} conv weights for [${outChannels}, ${inChannels}, ${kernel}] but received ${weight.length}`,
    );
  }
  const matrix = new Float32Array(weight.length);
  for (let o = 0; o < outChannels; o++) {
    for (let c = 0; c < inChannels; c++) {
      for (let j = 0; j < kernel; j++) matrix[(j * inChannels + c) * outChannels + o] = weight[(o * inChannels + c) * kernel + j]!;
    }
  }
  return matrix;
}

/** Geometry of one conv layer. */
export interface Im2colSpec {
  kernel: number;
  stride: number;
  /** Input channels C. */
  channels: number;
  /** Prefix of the constants' names. */
  name: string;
}

/**
 * Emits the im2col rows [B, T, kernel * C] of `x` [B, L, C], T = floor((L - kernel) / stride) + 1
 * (a valid convolution; L >= kernel).
 * @param g the graph that holds the constants
 * @param b the builder the nodes go to (a `Loop` body of `g`, or `g`)
 */
export function im2col(g: GraphBuilder, b: GraphBuilder, x: string, spec: Im2colSpec): string {
  const { kernel, stride, channels, name } = spec;
  const rowsAxis = g.int64s(`${name}_rows_axis`, [1]);
  const one = g.int64s(`${name}_one`, [1]);
  const strideRows = g.int64s(`${name}_stride`, [stride]);
  const length = b.op('Shape', [x], { start: attr.int(1), end: attr.int(2) });
  // T = (L - kernel) / stride + 1 (int64 Div truncates; L - kernel >= 0)
  const frames = b.op('Add', [b.op('Div', [b.op('Sub', [length, g.int64s(`${name}_kernel`, [kernel])]), strideRows]), one]);
  if (kernel % stride === 0) {
    const shifts = kernel / stride;
    // blocks of `stride` rows: frame t spans blocks t ... t + shifts - 1
    const blocks = b.op('Add', [frames, g.int64s(`${name}_shifts_minus_1`, [shifts - 1])]);
    const used = b.op('Slice', [x, g.int64s(`${name}_zero`, [0]), b.op('Mul', [blocks, strideRows]), rowsAxis]);
    const blocked = b.op('Reshape', [used, g.int64s(`${name}_block_shape`, [0, -1, stride * channels])]);
    if (shifts === 1) return blocked;
    const views = Array.from({ length: shifts }, (_, j) => {
      const start = g.int64s(`${name}_view${j}_start`, [j]);
      return b.op('Slice', [blocked, start, b.op('Add', [frames, start]), rowsAxis]);
    });
    return b.op('Concat', views, { axis: attr.int(-1) });
  }
  // kernel strided slices: view j holds input rows j, j + stride, ..., j + stride * (T - 1)
  const span = b.op('Add', [b.op('Mul', [b.op('Sub', [frames, one]), strideRows]), one]);
  const views = Array.from({ length: kernel }, (_, j) => {
    const start = g.int64s(`${name}_offset${j}`, [j]);
    return b.op('Slice', [x, start, b.op('Add', [start, span]), rowsAxis, strideRows]);
  });
  return b.op('Concat', views, { axis: attr.int(-1) });
}
