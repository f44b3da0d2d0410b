import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { checkTensorLayout, gatherStrided, MAX_TENSOR_ELEMENTS, upcast16 } from './tensor-data.js';
import { halfToNumber } from './test-support/checkpoints.js';
import { StorageRecord, TensorRecord } from './torch-pickle.js';

function record(numel: number, offset: number, shape: number[], stride: number[]): TensorRecord {
  return new TensorRecord(new StorageRecord('float32', '0', numel), offset, shape, stride);
}

describe('upcast16', () => {
  it('should decode every float16 bit pattern exactly', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const out = upcast16(new Uint8Array(all.buffer), 'float16');
    for (let h = 0; h < 65536; h++) {
      const expected = halfToNumber(h);
      if (!Object.is(out[h], expected)) throw new Error(`half 0x${h.toString(16)}: got ${out[h]}, expected ${expected}`);
    }
    expect(out[0x3c00]).toBe(1);
    expect(out[0x0001]).toBe(2 ** -24);
    expect(Object.is(out[0x8000], -0)).toBe(true);
  });

  it('should decode bfloat16 as the top half of a float32', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (value) => {
        const bits = new Uint32Array(Float32Array.of(value).buffer)[0]! >>> 16;
        const truncated = new Float32Array(new Uint32Array([bits << 16]).buffer)[0]!;
        const out = upcast16(new Uint8Array(Uint16Array.of(bits).buffer), 'bfloat16');
        expect(Object.is(out[0], truncated)).toBe(true);
      }),
    );
    expect(upcast16(new Uint8Array(Uint16Array.of(0x3f80, 0xc000).buffer), 'bfloat16')).toEqual(Float32Array.of(1, -2));
  });
});

describe('checkTensorLayout', () => {
  it('should accept contiguous, transposed, offset and broadcast views', () => {
    expect(checkTensorLayout('t', record(6, 0, [2, 3], [3, 1]), 24)).toMatchObject({ numel: 6, span: 6, contiguous: true });
    expect(checkTensorLayout('t', record(6, 0, [3, 2], [1, 3]), 24)).toMatchObject({ numel: 6, span: 6, contiguous: false });
    expect(checkTensorLayout('t', record(10, 4, [2, 3], [3, 1]), 40)).toMatchObject({ first: 4, span: 6, contiguous: true });
    expect(checkTensorLayout('t', record(3, 0, [4, 3], [0, 1]), 12)).toMatchObject({ numel: 12, span: 3, contiguous: false });
    expect(checkTensorLayout('t', record(1, 0, [], []), 4)).toMatchObject({ numel: 1, span: 1, contiguous: true });
    expect(checkTensorLayout('t', record(0, 0, [0, 5], [5, 1]), 0)).toMatchObject({ numel: 0, span: 0 });
  });

  describe('EXPECTED FAILURE', () => {
    const cases: [string, TensorRecord, number, string, RegExp][] = [
      ['data beyond the storage', record(6, 1, [2, 3], [3, 1]), 24, 'E2V_ERR_CHECKPOINT_TENSOR_LAYOUT', /reaches element 6 of storage 0, which has 6/],
      [
        'storage beyond its entry',
        record(100, 0, [10], [1]),
        40,
        'E2V_ERR_CHECKPOINT_TENSOR_LAYOUT',
        /claims 100 float32 elements \(400 bytes\) but its entry has 40/,
      ],
      ['negative size', record(6, 0, [-2, 3], [3, 1]), 24, 'E2V_ERR_CHECKPOINT_TENSOR_LAYOUT', /negative/],
      ['negative stride', record(6, 5, [2], [-1]), 24, 'E2V_ERR_CHECKPOINT_TENSOR_LAYOUT', /negative/],
      ['stride rank mismatch', record(6, 0, [2, 3], [1]), 24, 'E2V_ERR_CHECKPOINT_TENSOR_LAYOUT', /stride \[1\]/],
      ['huge broadcast', record(1, 0, [2 ** 20, 2 ** 20], [0, 0]), 4, 'E2V_ERR_CHECKPOINT_TOO_LARGE', new RegExp(`limit ${MAX_TENSOR_ELEMENTS}`)],
      ['too many dims', record(1, 0, Array(65).fill(1), Array(65).fill(1)), 4, 'E2V_ERR_CHECKPOINT_TENSOR_LAYOUT', /65 dimensions/],
    ];
    it.each(cases)('should reject %s', (_, tensor, entrySize, code, message) => {
      const attempt = (): unknown => checkTensorLayout('blocks.0.attn.qkv.weight', tensor, entrySize);
      expect(attempt).toThrow(CheckpointError);
      expect(attempt).toThrow(message);
      expect(attempt).toThrow(expect.objectContaining({ code }));
    });
  });
});

describe('gatherStrided', () => {
  it('should match index arithmetic for random views', () => {
    const view = fc
      .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
      .chain((shape) => fc.tuple(fc.constant(shape), fc.array(fc.integer({ min: 0, max: 7 }), { minLength: shape.length, maxLength: shape.length })));
    fc.assert(
      fc.property(view, ([shape, stride]) => {
        const last = shape.reduce((sum, d, i) => sum + (d - 1) * stride[i]!, 0);
        const span = Float32Array.from({ length: last + 1 }, (_, i) => i * 0.5 - 3);
        const layout = checkTensorLayout('t', record(last + 1, 0, shape, stride), (last + 1) * 4);
        const out = gatherStrided(span, layout);
        const expected: number[] = [];
        const walk = (dim: number, base: number): void => {
          if (dim === shape.length) {
            expected.push(span[base]!);
            return;
          }
          for (let i = 0; i < shape[dim]!; i++) walk(dim + 1, base + i * stride[dim]!);
        };
        walk(0, 0);
        expect(Array.from(out)).toEqual(expected);
      }),
    );
  });
});
