/**
 * The dtypes this package reads and writes, and the typed arrays behind them.
 * @module
 */

/** Little-endian dtype strings as .npy headers spell them. */
export type NpyDtype = '<f4' | '<f8' | '<i2' | '<i4' | '|u1' | '|i1';

/** Typed array holding the data of each dtype. */
export type NpyData = Float32Array | Float64Array | Int16Array | Int32Array | Uint8Array | Int8Array;

interface DtypeInfo {
  bytes: number;
  make(buffer: ArrayBuffer, length: number): NpyData;
}

/** Byte size and constructor per dtype. */
export const DTYPES: Readonly<Record<NpyDtype, DtypeInfo>> = {
  '<f4': { bytes: 4, make: (b, n) => new Float32Array(b, 0, n) },
  '<f8': { bytes: 8, make: (b, n) => new Float64Array(b, 0, n) },
  '<i2': { bytes: 2, make: (b, n) => new Int16Array(b, 0, n) },
  '<i4': { bytes: 4, make: (b, n) => new Int32Array(b, 0, n) },
  '|u1': { bytes: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  '|i1': { bytes: 1, make: (b, n) => new Int8Array(b, 0, n) },
};

/** The dtype string of a typed array. */
export function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint8Array) return '|u1';
  return '|i1';
}
