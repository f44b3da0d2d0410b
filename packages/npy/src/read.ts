/**
 * .npy reader (format versions 1.0, 2.0 and 3.0; C order; little-endian numeric dtypes).
 * @module
 */
import { DTYPES, type NpyData, type NpyDtype } from './dtypes.js';
import { NpyFormatError } from './errors.js';

export type { NpyData, NpyDtype } from './dtypes.js';

/** A decoded array: flat data in C order plus its shape. */
export interface NpyArray {
  /** dtype as written in the header. */
  dtype: NpyDtype;
  /** Shape; `[]` for a scalar. */
  shape: number[];
  /** Flat data, C order, in a fresh aligned buffer. */
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Decodes the bytes of a .npy file.
 * @param bytes the whole file
 * @returns dtype, shape and data (copied into an aligned buffer)
 * @throws NpyFormatError for a bad magic, header, dtype, Fortran order or a short data section
 * @example
 * const { shape, data } = readNpy(readFileSync('embedding.npy'));
 */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyFormatError('not a .npy file: missing the \\x93NUMPY magic');
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError('truncated .npy header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NpyFormatError(`unsupported .npy format version ${major}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new NpyFormatError('truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyFormatError(`malformed .npy header: ${header.trim()}`);
  }
  if (!(descr in DTYPES)) throw new NpyFormatError(`unsupported .npy dtype '${descr}'`);
  if (fortran === 'True') throw new NpyFormatError('Fortran-order .npy arrays are not supported');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number.parseInt(s, 10));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyFormatError(`bad .npy shape (${shapeText})`);
  const dtype = descr as NpyDtype;
  const info = DTYPES[dtype];
  const length = shape.reduce((a, b) => a * b, 1);
  const byteLength = length * info.bytes;
  if (dataStart + byteLength > bytes.length) {
    throw new NpyFormatError(`.npy data is truncated: need ${byteLength} bytes, have ${bytes.length - dataStart}`);
  }
  const buffer = new ArrayBuffer(byteLength);
  new Uint8Array(buffer).set(bytes.subarray(dataStart, dataStart + byteLength));
  return { dtype, shape, data: info.make(buffer, length) };
}
