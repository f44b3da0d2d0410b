/**
 * Tensor layouts (shape, strides, storage offset) checked against their
 * storage, and the conversion of storage bytes to C-contiguous float32.
 * Storage bytes are little-endian, as torch.save writes them on every
 * platform Node runs on.
 * @module
 */
import { CheckpointError } from '../errors.js';
import type { TensorRecord } from './torch-pickle.js';
import type { SourceDtype } from './types.js';

/** Bytes per element of each storage type. */
export const ITEM_SIZE: Readonly<Record<SourceDtype, number>> = { float32: 4, float16: 2, bfloat16: 2 };

/** Largest tensor read (elements): 1 GiB of float32, far above any emotion2vec+ weight. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

/** Most dimensions a tensor may have (torch's own limit). */
export const MAX_DIMS = 64;

/** A checked tensor layout: which storage elements to read and how to arrange them. */
export interface TensorLayout {
  /** Storage element type. */
  dtype: SourceDtype;
  /** Shape. */
  shape: readonly number[];
  /** Strides in elements. */
  stride: readonly number[];
  /** Number of elements of the tensor. */
  numel: number;
  /** First storage element the tensor touches. */
  first: number;
  /** Storage elements from `first` up to the last one the tensor touches (0 for an empty tensor). */
  span: number;
  /** Whether the tensor is C-contiguous, i.e. `span` elements are the tensor in order. */
  contiguous: boolean;
}

function layoutError(name: string, message: string): CheckpointError {
  return new CheckpointError('E2V_ERR_CHECKPOINT_TENSOR_LAYOUT', `tensor ${name}: ${message}`);
}

/**
 * Checks a tensor's shape, strides and offset against its storage and the
 * storage against its zip entry, so that reading it can never run outside
 * the entry.
 * @param name tensor name for messages
 * @param tensor record from the pickle
 * @param entrySize bytes of the storage's zip entry
 * @throws CheckpointError E2V_ERR_CHECKPOINT_TENSOR_LAYOUT (bad dims, data beyond the storage or entry),
 *   E2V_ERR_CHECKPOINT_TOO_LARGE (more than {@link MAX_TENSOR_ELEMENTS})
 */
export function checkTensorLayout(name: string, tensor: TensorRecord, entrySize: number): TensorLayout {
  const { shape, stride, offset, storage } = tensor;
  if (shape.length > MAX_DIMS) throw layoutError(name, `${shape.length} dimensions (limit ${MAX_DIMS})`);
  if (stride.length !== shape.length) throw layoutError(name, `shape [${shape.join(', ')}] but stride [${stride.join(', ')}]`);
  if (shape.some((d) => d < 0) || stride.some((s) => s < 0) || offset < 0) {
    throw layoutError(name, `negative size, stride or offset (shape [${shape.join(', ')}], stride [${stride.join(', ')}], offset ${offset})`);
  }
  const storageBytes = storage.numel * ITEM_SIZE[storage.dtype];
  if (storageBytes > entrySize) {
    throw layoutError(
      name,
      `storage ${storage.key} claims ${storage.numel} ${storage.dtype} elements (${storageBytes} bytes) but its entry has ${entrySize} bytes`,
    );
  }
  let numel = 1;
  for (const d of shape) numel *= d;
  if (numel > MAX_TENSOR_ELEMENTS) {
    throw new CheckpointError('E2V_ERR_CHECKPOINT_TOO_LARGE', `tensor ${name} has ${numel} elements (limit ${MAX_TENSOR_ELEMENTS})`);
  }
  let last = offset;
  for (let d = 0; d < shape.length; d++) if (shape[d]! > 0) last += (shape[d]! - 1) * stride[d]!;
  if (numel > 0 && last >= storage.numel) {
    throw layoutError(
      name,
      `shape [${shape.join(', ')}] with stride [${stride.join(', ')}] at offset ${offset} reaches element ${last} of storage ${storage.key}, which has ${storage.numel}`,
    );
  }
  let expected = 1;
  let contiguous = true;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) contiguous = false;
    expected *= shape[d]!;
  }
  return {
    dtype: storage.dtype,
    shape,
    stride,
    numel,
    first: offset,
    span: numel === 0 ? 0 : last - offset + 1,
    contiguous: contiguous || numel === 0,
  };
}

/**
 * Upcasts raw half or bfloat16 storage bytes to float32 (exact; NaN payloads and signed zeros kept).
 * @param raw little-endian storage bytes, 2 per element, starting at a 2-byte aligned offset
 * @param dtype `float16` or `bfloat16`
 */
export function upcast16(raw: Uint8Array, dtype: 'float16' | 'bfloat16'): Float32Array {
  const source = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
  const out = new Float32Array(source.length);
  const bits = new Uint32Array(out.buffer);
  if (dtype === 'bfloat16') {
    for (let i = 0; i < source.length; i++) bits[i] = source[i]! << 16;
    return out;
  }
  for (let i = 0; i < source.length; i++) {
    const h = source[i]!;
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    let fraction = h & 0x3ff;
    if (exponent === 0x1f) {
      bits[i] = sign | 0x7f800000 | (fraction << 13);
    } else if (exponent !== 0) {
      bits[i] = sign | ((exponent + 112) << 23) | (fraction << 13);
    } else if (fraction === 0) {
      bits[i] = sign;
    } else {
      // subnormal half: shift the fraction up until its leading 1 becomes the implicit bit
      let e = 113;
      while ((fraction & 0x400) === 0) {
        fraction <<= 1;
        e--;
      }
      bits[i] = sign | (e << 23) | ((fraction & 0x3ff) << 13);
    }
  }
  return out;
}

/**
 * Copies a strided view out of a span of storage into C order.
 * @param span storage elements starting at the tensor's first element
 * @param layout the tensor's checked layout (non-empty)
 */
export function gatherStrided(span: Float32Array, layout: TensorLayout): Float32Array {
  const { shape, stride, numel } = layout;
  const out = new Float32Array(numel);
  const dims = shape.length;
  if (dims === 0) {
    out[0] = span[0]!;
    return out;
  }
  const inner = shape[dims - 1]!;
  const innerStride = stride[dims - 1]!;
  const index = new Array<number>(dims).fill(0);
  let base = 0;
  for (let o = 0; o < numel; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = span[base + j * innerStride]!;
    for (let d = dims - 2; d >= 0; d--) {
      index[d]!++;
      base += stride[d]!;
      if (index[d]! < shape[d]!) break;
      base -= stride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}
