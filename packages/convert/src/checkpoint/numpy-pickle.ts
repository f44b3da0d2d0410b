/**
 * NumPy values in a checkpoint's metadata, decoded without NumPy: fairseq-era training
 * checkpoints keep numpy floats (best loss, meters) and small arrays next to the weights. Only
 * what the pickle spells out is decoded — scalars and arrays of booleans, integers and floats —
 * and only through these globals (both `numpy.core` and NumPy 2's `numpy._core` spellings):
 * `multiarray.scalar`, `multiarray._reconstruct`, `numeric._frombuffer` (protocol 5 arrays),
 * `numpy.ndarray`, `numpy.dtype`, plus `_codecs.encode` (how protocol 2 pickles bytes). Anything else NumPy stays inert.
 * @module
 */
import { CheckpointError } from '../errors.js';
import { PyDict, PyObject, PyTuple, type PyValue } from './pickle.js';

/** Largest array decoded (elements); bigger ones stay undecoded {@link NumpyArray}s. */
export const MAX_NUMPY_ELEMENTS = 1 << 20;

/** A `numpy.dtype` as the pickle builds it (`numpy.dtype('f8', False, True)` then BUILD). */
export class NumpyDtype extends PyObject {
  /** Byte order from the BUILD state (`<`, `>`, `|` or `=`). */
  byteOrder = '=';
  /** @param code the type code, e.g. `f8`, `i4`, `b1` */
  constructor(readonly code: string) {
    super();
  }
}

/** A `numpy.ndarray` (`_reconstruct(ndarray, (0,), b'b')` then BUILD with shape, dtype, data). */
export class NumpyArray extends PyObject {
  shape: number[] = [];
  /** The elements in C order, when decoded (a supported dtype, at most {@link MAX_NUMPY_ELEMENTS}). */
  values: number[] | boolean[] | null = null;
}

/** A NumPy global the decoder understands. */
export class NumpyGlobal extends PyObject {
  /** @param role which one */
  constructor(readonly role: 'scalar' | 'reconstruct' | 'frombuffer' | 'ndarray' | 'dtype' | 'codecs.encode') {
    super();
  }
}

const ROLES: ReadonlyMap<string, NumpyGlobal['role']> = new Map([
  ['numpy.core.multiarray.scalar', 'scalar'],
  ['numpy._core.multiarray.scalar', 'scalar'],
  ['numpy.core.multiarray._reconstruct', 'reconstruct'],
  ['numpy._core.multiarray._reconstruct', 'reconstruct'],
  ['numpy.core.numeric._frombuffer', 'frombuffer'],
  ['numpy._core.numeric._frombuffer', 'frombuffer'],
  ['numpy.ndarray', 'ndarray'],
  ['numpy.dtype', 'dtype'],
  ['_codecs.encode', 'codecs.encode'],
]);

/** The decoder standing for a global, or undefined when it is not one of {@link ROLES}. */
export function numpyGlobal(module: string, name: string): NumpyGlobal | undefined {
  const role = ROLES.get(`${module}.${name}`);
  return role === undefined ? undefined : new NumpyGlobal(role);
}

function bad(message: string): CheckpointError {
  return new CheckpointError('E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', `numpy value in the checkpoint: ${message}`);
}

function asBytes(value: PyValue | undefined, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Uint8Array.from(value, (ch) => ch.charCodeAt(0) & 0xff); // py2 str
  throw bad(`${what} is not bytes`);
}

/** Element size and reader of a dtype code (`f8`, `<i4`, `b1`, ...), or undefined for others. */
function elementReader(dtype: NumpyDtype): { size: number; read: (view: DataView, offset: number) => number | boolean } | undefined {
  const little = dtype.byteOrder !== '>';
  const code = dtype.code.replace(/^[<>=|]/, '');
  switch (code) {
    case 'f8':
      return { size: 8, read: (v, o) => v.getFloat64(o, little) };
    case 'f4':
      return { size: 4, read: (v, o) => v.getFloat32(o, little) };
    case 'i8':
      return { size: 8, read: (v, o) => Number(v.getBigInt64(o, little)) };
    case 'u8':
      return { size: 8, read: (v, o) => Number(v.getBigUint64(o, little)) };
    case 'i4':
      return { size: 4, read: (v, o) => v.getInt32(o, little) };
    case 'u4':
      return { size: 4, read: (v, o) => v.getUint32(o, little) };
    case 'i2':
      return { size: 2, read: (v, o) => v.getInt16(o, little) };
    case 'u2':
      return { size: 2, read: (v, o) => v.getUint16(o, little) };
    case 'i1':
      return { size: 1, read: (v, o) => v.getInt8(o) };
    case 'u1':
      return { size: 1, read: (v, o) => v.getUint8(o) };
    case 'b1':
      return { size: 1, read: (v, o) => v.getUint8(o) !== 0 };
    default:
      return undefined;
  }
}

function decodeElements(dtype: NumpyDtype, raw: Uint8Array, count: number): number[] | boolean[] | null {
  const reader = elementReader(dtype);
  if (reader === undefined || count > MAX_NUMPY_ELEMENTS || raw.length < count * reader.size) return null;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: count }, (_, i) => reader.read(view, i * reader.size)) as number[] | boolean[];
}

/**
 * Calls a NumPy global: `scalar(dtype, bytes)` gives the number (or the undecoded bytes for an
 * unsupported dtype), `dtype(code, align, copy)` a {@link NumpyDtype}, `_reconstruct(ndarray,
 * shape, typecode)` an empty {@link NumpyArray}, `_codecs.encode(text, 'latin1')` the bytes.
 * @throws CheckpointError E2V_ERR_CHECKPOINT_PICKLE_CORRUPT for arguments that do not fit
 */
export function callNumpy(global: NumpyGlobal, args: readonly PyValue[]): PyValue {
  switch (global.role) {
    case 'codecs.encode': {
      const [value, encoding] = args;
      if (typeof value !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) throw bad('_codecs.encode is only read for latin1 text');
      return Uint8Array.from(value, (ch) => ch.charCodeAt(0) & 0xff);
    }
    case 'dtype': {
      const [code] = args;
      if (typeof code !== 'string') throw bad('dtype without a type code');
      return new NumpyDtype(code);
    }
    case 'reconstruct':
      return new NumpyArray();
    case 'frombuffer': {
      const [raw, dtype, shape, order] = args;
      const array = new NumpyArray();
      setArray(array, shape, dtype, order === 'F', raw);
      return array;
    }
    case 'scalar': {
      const [dtype, raw] = args;
      if (!(dtype instanceof NumpyDtype)) throw bad('scalar without a dtype');
      const bytes = asBytes(raw, 'scalar data');
      return decodeElements(dtype, bytes, 1)?.[0] ?? bytes;
    }
    case 'ndarray':
      throw bad('numpy.ndarray called directly');
  }
}

/**
 * Applies a BUILD state to a NumPy object: a dtype's `(version, byteorder, ...)`, an array's
 * `(version, shape, dtype, is_fortran, data)`. Fortran-ordered or object arrays stay undecoded.
 * @throws CheckpointError E2V_ERR_CHECKPOINT_PICKLE_CORRUPT for a state that does not fit
 */
export function buildNumpy(target: NumpyDtype | NumpyArray, state: PyValue): void {
  if (!(state instanceof PyTuple)) throw bad('BUILD state is not a tuple');
  if (target instanceof NumpyDtype) {
    const order = state.items[1];
    if (typeof order === 'string') target.byteOrder = order;
    return;
  }
  const [, shape, dtype, fortran, data] = state.items;
  setArray(target, shape, dtype, fortran === true, data);
}

/** Fills an array from its shape, dtype and raw C-order data (Fortran order and object arrays stay undecoded). */
function setArray(target: NumpyArray, shape: PyValue | undefined, dtype: PyValue | undefined, fortran: boolean, data: PyValue | undefined): void {
  if (!(shape instanceof PyTuple) || shape.items.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0))
    throw bad('array shape is not a tuple of sizes');
  target.shape = shape.items as number[];
  if (!(dtype instanceof NumpyDtype) || fortran || data instanceof PyDict || Array.isArray(data)) return;
  const count = target.shape.reduce((a, b) => a * b, 1);
  target.values = decodeElements(dtype, asBytes(data, 'array data'), count);
}
