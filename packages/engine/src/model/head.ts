/**
 * The model's linear `proj` head (`logits = x W^T + b`), read from the graph file, so frame
 * scores can apply it to frame features: the head is linear, so the mean of per-frame logits
 * over a window equals the head applied to the window's mean feature.
 *
 * Weight names written by `@e2v/convert`: fp32 `proj.weight_t` [D, C] + `proj.bias` [C]; int8
 * `proj.weight_t_int8` [D, C] with per-column `proj.weight_scale` [C] (dequantized here to
 * float) + `proj.bias`. A PyTorch-style `proj.weight` [C, D] is accepted too.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ModelLoadError } from '../errors.js';
import { listInitializers, readInitializer, type InitializerInfo } from './onnx-initializers.js';

/** A linear head in float32: `logits[c] = bias[c] + sum_d x[d] * weightT[d * outDim + c]`. */
export interface LinearHead {
  /** D. */
  inDim: number;
  /** C (labels). */
  outDim: number;
  /** [D, C] row-major. */
  weightT: Float32Array;
  /** [C]. */
  bias: Float32Array;
}

const NAMES = ['proj.weight_t', 'proj.weight_t_int8', 'proj.weight_scale', 'proj.weight', 'proj.bias'];

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
  return t;
}

/**
 * Reads the `proj` head of a graph.
 * @param modelPath the .onnx file
 * @param modelDir the model folder (for errors)
 * @throws ModelLoadError `E2V_ERR_MODEL_HEAD` when the weights are missing, malformed or inconsistent
 */
export async function loadHead(modelPath: string, modelDir: string): Promise<LinearHead> {
  const fail = (what: string, cause?: unknown): ModelLoadError =>
    new ModelLoadError('E2V_ERR_MODEL_HEAD', modelDir, `${modelPath}: cannot read the proj head: ${what}`, { cause });
  let found: Map<string, InitializerInfo>;
  try {
    found = listInitializers(new Uint8Array(await readFile(modelPath)), new Set(NAMES));
  } catch (cause) {
    throw fail((cause as Error).message, cause);
  }
  const get = async (name: string): Promise<{ info: InitializerInfo; data: Float32Array | Int8Array } | undefined> => {
    const info = found.get(name);
    if (info === undefined) return undefined;
    try {
      return { info, data: await readInitializer(modelPath, info) };
    } catch (cause) {
      throw fail((cause as Error).message, cause);
    }
  };
  const bias = await get('proj.bias');
  if (bias === undefined || !(bias.data instanceof Float32Array) || bias.info.dims.length !== 1) throw fail('no float proj.bias [C]');
  const outDim = bias.data.length;
  const check = (info: InitializerInfo, transposed: boolean): number => {
    const [a, b] = info.dims;
    if (info.dims.length !== 2 || (transposed ? b : a) !== outDim) throw fail(`${info.name} has dims [${info.dims.join(', ')}], expected ${transposed ? `[D, ${outDim}]` : `[${outDim}, D]`}`);
    return (transposed ? a : b)!;
  };
  const fp32 = await get('proj.weight_t');
  if (fp32 !== undefined && fp32.data instanceof Float32Array) {
    return { inDim: check(fp32.info, true), outDim, weightT: fp32.data, bias: bias.data };
  }
  const int8 = await get('proj.weight_t_int8');
  if (int8 !== undefined && int8.data instanceof Int8Array) {
    const inDim = check(int8.info, true);
    const scale = await get('proj.weight_scale');
    if (scale === undefined || !(scale.data instanceof Float32Array) || scale.data.length !== outDim) throw fail(`no float proj.weight_scale [${outDim}]`);
    const weightT = new Float32Array(inDim * outDim);
    for (let i = 0; i < weightT.length; i++) weightT[i] = int8.data[i]! * scale.data[i % outDim]!;
    return { inDim, outDim, weightT, bias: bias.data };
  }
  const torchStyle = await get('proj.weight');
  if (torchStyle !== undefined && torchStyle.data instanceof Float32Array) {
    const inDim = check(torchStyle.info, false);
    return { inDim, outDim, weightT: transpose(torchStyle.data, outDim, inDim), bias: bias.data };
  }
  throw fail('none of proj.weight_t, proj.weight_t_int8, proj.weight is a weight matrix of the expected type');
}

/**
 * Logits of every frame: `out[t * C + c] = bias[c] + frames[t, :] . W[:, c]`, in float64.
 * @param head the head
 * @param frames [T, D] row-major
 * @param count T
 */
export function frameLogits(head: LinearHead, frames: Float32Array, count: number): Float64Array {
  const { inDim: D, outDim: C, weightT, bias } = head;
  const out = new Float64Array(count * C);
  const acc = new Float64Array(C);
  for (let t = 0; t < count; t++) {
    for (let c = 0; c < C; c++) acc[c] = bias[c]!;
    const row = t * D;
    for (let d = 0; d < D; d++) {
      const x = frames[row + d]!;
      const w = d * C;
      for (let c = 0; c < C; c++) acc[c] = acc[c]! + x * weightT[w + c]!;
    }
    out.set(acc, t * C);
  }
  return out;
}
