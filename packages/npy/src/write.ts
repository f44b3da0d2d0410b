/**
 * .npy writer (format 1.0, little-endian, C order), readable by `numpy.load`.
 * @module
 */
import { dtypeOf, type NpyData } from './dtypes.js';

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
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtypeOf(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1; // magic+version+length, header, newline
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
