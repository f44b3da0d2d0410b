import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deinterleave, deinterleaveBytewise, PCM_BYTES, type PcmEncoding } from './pcm.js';

function one(encoding: PcmEncoding, bytes: number[]): number {
  return deinterleave(new Uint8Array(bytes), 0, 1, 1, encoding)[0]![0]!;
}

describe('deinterleave: scaling of each encoding (as torchaudio.load normalises)', () => {
  it('should map integer extremes to [-1, 1)', () => {
    expect([one('u8', [0]), one('u8', [128]), one('u8', [255])]).toEqual([-1, 0, 127 / 128]);
    expect([one('s16', [0x00, 0x80]), one('s16', [0xff, 0x7f])]).toEqual([-1, 32767 / 32768]);
    expect([one('s24', [0x00, 0x00, 0x80]), one('s24', [0xff, 0xff, 0x7f]), one('s24', [0xff, 0xff, 0xff])]).toEqual([-1, 8388607 / 8388608, -1 / 8388608]);
    expect([one('s32', [0, 0, 0, 0x80]), one('s32', [0xff, 0xff, 0xff, 0xff])]).toEqual([-1, -1 / 2147483648]);
  });

  it('should keep float samples as they are, beyond [-1, 1] too', () => {
    const f32 = new Uint8Array(4);
    new DataView(f32.buffer).setFloat32(0, 1.5, true);
    expect(one('f32', Array.from(f32))).toBe(1.5);
    const f64 = new Uint8Array(8);
    new DataView(f64.buffer).setFloat64(0, 0.1, true);
    expect(one('f64', Array.from(f64))).toBe(Math.fround(0.1));
  });

  it('should expand G.711 bytes to the standard 16-bit values / 32768', () => {
    // ITU-T G.711 reference values: µ-law 0x00 -> -32124, 0x80 -> 32124, 0xff/0x7f -> 0;
    // A-law 0x55 -> -8, 0xd5 -> 8, 0x2a -> -32256, 0xaa -> 32256
    expect([0x00, 0x80, 0xff, 0x7f].map((b) => one('mulaw', [b]) * 32768)).toEqual([-32124, 32124, 0, 0]);
    expect([0x55, 0xd5, 0x2a, 0xaa].map((b) => one('alaw', [b]) * 32768)).toEqual([-8, 8, -32256, 32256]);
  });

  it('should de-interleave frames into channels from an offset', () => {
    // two junk bytes, then 2 frames of 3 int16 channels
    const bytes = new Uint8Array([9, 9, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0]);
    const channels = deinterleave(bytes, 2, 2, 3, 's16');
    expect(channels.map((c) => Array.from(c, (v) => v * 32768))).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  it('should give the same samples on the typed-array and byte-wise paths, aligned or not', () => {
    const encodings = Object.keys(PCM_BYTES) as PcmEncoding[];
    fc.assert(
      fc.property(
        fc.constantFrom(...encodings),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 7 }),
        fc.uint8Array({ minLength: 200, maxLength: 200 }),
        (encoding, channels, offset, bytes) => {
          const frames = Math.floor((bytes.length - offset) / (PCM_BYTES[encoding] * channels));
          const fast = deinterleave(bytes, offset, frames, channels, encoding);
          const reference = deinterleaveBytewise(bytes, offset, frames, channels, encoding);
          // toEqual tells -0 from +0 and takes NaN for NaN (NaN payloads do not matter: NaN is rejected later)
          expect(fast.map((c) => Array.from(c))).toEqual(reference.map((c) => Array.from(c)));
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});
