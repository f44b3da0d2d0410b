import { describe, expect, it } from 'vitest';
import { ProtoWriter, encodeVarint } from './protobuf.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('encodeVarint', () => {
  it('should encode the protobuf documentation examples', () => {
    expect(hex(encodeVarint(1))).toBe('01');
    expect(hex(encodeVarint(150))).toBe('9601');
    expect(hex(encodeVarint(300))).toBe('ac02');
    expect(hex(encodeVarint(2 ** 53 - 1))).toBe('ffffffffffffff0f');
  });

  it("should write negative int64 values as 10-byte two's complement", () => {
    expect(hex(encodeVarint(-1))).toBe('ffffffffffffffffff01');
    expect(hex(encodeVarint(-2n))).toBe('feffffffffffffffff01');
    expect(hex(encodeVarint(-(1n << 63n)))).toBe('80808080808080808001');
  });

  it('should reject non-integers and values outside int64', () => {
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
    expect(() => encodeVarint(1n << 63n)).toThrow(RangeError);
  });
});

describe('ProtoWriter', () => {
  it('should encode keys, strings, floats and nested messages', () => {
    const inner = new ProtoWriter().int(1, 150);
    const w = new ProtoWriter().string(2, 'testing').float(3, 1.5).message(4, inner);
    // 0x12 = field 2 / wire 2; 0x1d = field 3 / wire 5; 0x22 = field 4 / wire 2
    expect(hex(w.finish())).toBe('120774657374696e67' + '1d0000c03f' + '2203089601');
    expect(w.length).toBe(w.finish().length);
  });

  it('should pack repeated ints and floats, and skip empty lists', () => {
    const w = new ProtoWriter().packedInts(1, [3, 270, 86942]).packedFloats(2, [1]).packedInts(3, []);
    expect(hex(w.finish())).toBe('0a06038e029ea705' + '12040000803f');
  });

  it('should reject invalid field numbers', () => {
    expect(() => new ProtoWriter().int(0, 1)).toThrow(RangeError);
  });
});
