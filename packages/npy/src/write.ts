/**
 * .npy writer (format 1.0, little-endian, C order), readable by `numpy.load`.
 * @module
 */
import { dtypeOf, type NpyData, type NpyDtype } from './dtypes.js';

/**
 * Encodes an array as the bytes of a .npy file (format version 1.0).
 * @param data flat data in C order
 * @param shape the array's shape; its product must equal `data.length`
 * @returns the file's bytes; the data section starts at a multiple of 64
 * @throws RangeError when the shape does not match the data length
 * @example
 * writeFileSync('embedding.npy', encodeNpy(embedding, [embedding.length]));
 */
export function encodeNpy(data: NpyData, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || count !== data.length) {
    throw new RangeError(`Expected a shape whose product is ${data.length} for shape but received (${shape.join(', ')})`);
  }
  const header = npyHeader(dtypeOf(data), shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}

/**
 * The header of a .npy file (format 1.0): magic, version, length and the padded dict.
 * @param dtype the data's dtype
 * @param shape the array's shape
 * @param minBytes pad the header to at least this many bytes (for a header rewritten later with
 *   a longer shape); the length is always a multiple of 64
 * @returns the header bytes, after which the data starts
 */
export function npyHeader(dtype: NpyDtype, shape: readonly number[], minBytes = 0): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1; // magic+version+length, dict, newline
  const total = Math.max(unpadded + ((64 - (unpadded % 64)) % 64), Math.ceil(minBytes / 64) * 64);
  dict += `${' '.repeat(total - unpadded)}\n`;
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  return out;
}
