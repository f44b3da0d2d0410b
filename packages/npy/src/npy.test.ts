import { describe, expect, it } from 'vitest';
import { encodeNpy, NpyFormatError, readNpy } from './index.js';

function header(bytes: Uint8Array): string {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  return new TextDecoder('latin1').decode(bytes.subarray(10, 10 + length));
}

/** Replaces ASCII text in the header bytes (same length), leaving the binary magic intact. */
function patchHeader(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const at = header(bytes).indexOf(from);
  const out = bytes.slice();
  for (let i = 0; i < to.length; i++) out[10 + at + i] = to.charCodeAt(i);
  return out;
}

describe('encodeNpy', () => {
  it('should write a version 1.0 header that numpy parses, with 64-byte aligned data', () => {
    const bytes = encodeNpy(new Float32Array([1, 2, 3]), [3]);
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const text = header(bytes);
    expect(text).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3,\), \} *\n$/);
    expect((10 + text.length) % 64).toBe(0);
    expect(bytes.length).toBe(10 + text.length + 12);
  });

  it('should round-trip 2-D float32 data byte for byte', () => {
    const data = new Float32Array([0.5, -1.25, 3e-8, 7, 8, 9]);
    const back = readNpy(encodeNpy(data, [2, 3]));
    expect(back.dtype).toBe('<f4');
    expect(back.shape).toEqual([2, 3]);
    expect([...back.data]).toEqual([...data]);
  });

  it('should round-trip every supported dtype and a scalar shape', () => {
    for (const data of [new Float64Array([1.5]), new Int16Array([-3]), new Int32Array([9]), new Uint8Array([200]), new Int8Array([-7])]) {
      const back = readNpy(encodeNpy(data, []));
      expect(back.shape).toEqual([]);
      expect(back.data.constructor).toBe(data.constructor);
      expect(back.data[0]).toBe(data[0]);
    }
  });

  it('should reject a shape that does not match the data', () => {
    expect(() => encodeNpy(new Float32Array(4), [3])).toThrow(RangeError);
  });
});

describe('readNpy: EXPECTED FAILURE', () => {
  const good = encodeNpy(new Float32Array([1, 2]), [2]);

  it('should reject bytes without the magic', () => {
    expect(() => readNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toThrow(NpyFormatError);
  });

  it('should reject truncated data with a message saying so', () => {
    expect(() => readNpy(good.subarray(0, good.length - 1))).toThrow(/truncated/);
  });

  it('should reject Fortran order and unknown dtypes by name', () => {
    expect(() => readNpy(patchHeader(good, 'False', 'True '))).toThrow(/Fortran/);
    expect(() => readNpy(patchHeader(good, '<f4', '<c8'))).toThrow(/'<c8'/);
  });

  it('should carry a stable code', () => {
    try {
      readNpy(new Uint8Array(4));
      expect.unreachable();
    } catch (error) {
      expect((error as NpyFormatError).code).toBe('E2V_ERR_NPY_FORMAT');
      expect((error as Error).name).toBe('NpyFormatError');
    }
  });
});
