import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { openCheckpoint } from './open.js';
import { saveCheckpoint, type SaveLayout, type SavedTensor } from './save.js';
import { float32Bytes, halfToNumber, HAS_PYTHON_NUMPY, sha256Float32, tempDir, torchLoadMimic, uint16Bytes } from './test-support/checkpoints.js';
import type { SourceDtype } from './types.js';

/** A tensor to save plus the values the reader must return for it. */
interface Case {
  tensor: SavedTensor;
  expected: number[];
}

/** Storage element `i` as the reader must decode it. */
function decoder(dtype: SourceDtype, storage: Uint8Array): (i: number) => number {
  if (dtype === 'float32') {
    const values = new Float32Array(storage.buffer, storage.byteOffset, storage.byteLength / 4);
    return (i) => values[i]!;
  }
  const bits = new Uint16Array(storage.buffer, storage.byteOffset, storage.byteLength / 2);
  if (dtype === 'float16') return (i) => halfToNumber(bits[i]!);
  return (i) => new Float32Array(Uint32Array.of(bits[i]! << 16).buffer)[0]!;
}

/** Expected C-order values of a strided view, by index arithmetic. */
function expectedValues(shape: readonly number[], stride: readonly number[], offset: number, element: (i: number) => number): number[] {
  const out: number[] = [];
  const walk = (dim: number, at: number): void => {
    if (dim === shape.length) {
      out.push(element(at));
      return;
    }
    for (let i = 0; i < shape[dim]!; i++) walk(dim + 1, at + i * stride[dim]!);
  };
  walk(0, offset);
  return out;
}

/** Random tensors: any dtype, 0-3 dims (some empty), permuted/gapped/broadcast strides, offsets, spare storage. */
const tensorCase = (name: string): fc.Arbitrary<Case> =>
  fc
    .record({
      dtype: fc.constantFrom<SourceDtype>('float32', 'float16', 'bfloat16'),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      order: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
      gap: fc.integer({ min: 1, max: 2 }),
      broadcast: fc.option(fc.nat({ max: 2 })),
      offset: fc.nat({ max: 5 }),
      spare: fc.nat({ max: 3 }),
      seed: fc.integer(),
    })
    .map(({ dtype, shape, order, gap, broadcast, offset, spare, seed }) => {
      const dims = shape.map((_, i) => i).sort((a, b) => order[a]! - order[b]! || a - b);
      const stride = new Array<number>(shape.length).fill(0);
      let step = gap;
      for (const d of dims.reverse()) {
        stride[d] = step;
        step *= Math.max(shape[d]!, 1);
      }
      if (broadcast !== null && broadcast < shape.length) stride[broadcast] = 0;
      const numel = shape.reduce((a, b) => a * b, 1);
      const needed = numel === 0 ? offset : offset + shape.reduce((s, d, i) => s + (d - 1) * stride[i]!, 0) + 1;
      const storageNumel = needed + spare;
      let state = seed >>> 0;
      const random = (): number => {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        return state;
      };
      const storage =
        dtype === 'float32'
          ? float32Bytes(Array.from({ length: storageNumel }, () => (random() / 2 ** 32 - 0.5) * 2 ** ((random() % 40) - 20)))
          : uint16Bytes(Array.from({ length: storageNumel }, () => random() >>> 16));
      return {
        tensor: { name, dtype, shape, stride, offset, storageNumel, data: () => storage },
        expected: numel === 0 ? [] : expectedValues(shape, stride, offset, decoder(dtype, storage)),
      };
    });

describe('saveCheckpoint + openCheckpoint', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  it('should round-trip random state dicts exactly, in every layout, with and without zip64', async () => {
    const names = ['extra_tokens', 'blocks.0.attn.qkv.weight', 'proj.bias', 'x'];
    const stateDict = fc
      .tuple(fc.tuple(...names.map(tensorCase)), fc.constantFrom('', 'module.', 'd2v_model.', 'module.d2v_model.'))
      .map(([cases, prefix]) =>
        cases.map(({ tensor, expected }) => ({ tensor: { ...tensor, name: prefix + tensor.name }, expected, normalized: tensor.name })),
      );
    const layout = fc.constantFrom<SaveLayout>('fairseq', 'bare', 'state_dict', 'model_state_dict');
    const path = join(dir, 'roundtrip.pt');
    await fc.assert(
      fc.asyncProperty(stateDict, layout, fc.boolean(), async (cases, saveLayout, forceZip64) => {
        await saveCheckpoint(
          path,
          cases.map((c) => c.tensor),
          { layout: saveLayout, forceZip64 },
        );
        const ckpt = await openCheckpoint(path);
        try {
          expect([...ckpt.tensors.keys()]).toEqual(cases.map((c) => c.normalized));
          for (const { tensor, expected, normalized } of cases) {
            expect(ckpt.tensors.get(normalized)).toEqual({ name: normalized, dtype: tensor.dtype, shape: tensor.shape });
            const values = Array.from(await ckpt.read(normalized));
            expect(values.length).toBe(expected.length);
            values.forEach((v, i) => {
              if (!Object.is(v, expected[i])) throw new Error(`${normalized}[${i}]: read ${v}, expected ${expected[i]}`);
            });
          }
        } finally {
          await ckpt.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it.skipIf(!HAS_PYTHON_NUMPY)('should write what a Python torch.load mimic reads identically, zip64 included', async () => {
    for (const forceZip64 of [false, true]) {
      const path = join(dir, forceZip64 ? 'model64.pt' : 'model.pt');
      const tensors: SavedTensor[] = [
        { name: 'd2v_model.t', shape: [3, 2], stride: [1, 3], offset: 1, storageNumel: 8, data: () => float32Bytes([9, 1, 2, 3, 4, 5, 6, 7]) },
        { name: 'd2v_model.h', dtype: 'float16', shape: [2, 2], data: () => uint16Bytes([0x3c00, 0xc000, 0x0001, 0x7bff]) },
        { name: 'd2v_model.b', dtype: 'bfloat16', shape: [2], data: () => uint16Bytes([0x3f80, 0xc2f7]) },
        { name: 'proj.weight', shape: [], data: () => float32Bytes([0.25]) },
      ];
      await saveCheckpoint(path, tensors, { forceZip64 });
      const mimic = torchLoadMimic(path);
      expect(mimic).toMatchObject({
        globals: ['collections.OrderedDict', 'torch.BFloat16Storage', 'torch.FloatStorage', 'torch.HalfStorage', 'torch._utils._rebuild_tensor_v2'],
        top: ['args', 'cfg', 'model', 'criterion', 'optimizer_history', 'task_state', 'extra_state', 'last_optimizer_state'],
        prefix: forceZip64 ? 'model64/' : 'model/',
        aligned: true,
        version: '3\n',
      });
      const ckpt = await openCheckpoint(path);
      try {
        const ours = await Promise.all([...ckpt.tensors.keys()].map(async (name) => sha256Float32(await ckpt.read(name))));
        expect(Object.values(mimic.tensors).map(([, sha]) => sha)).toEqual(ours);
        expect(Array.from(await ckpt.read('t'))).toEqual([1, 4, 2, 5, 3, 6]);
        expect(Array.from(await ckpt.read('h'))).toEqual([1, -2, 2 ** -24, 65504]);
      } finally {
        await ckpt.close();
      }
    }
  });

  describe('BAD CALL', () => {
    const one = (over: Partial<SavedTensor>): SavedTensor[] => [{ name: 'w', shape: [2], data: () => float32Bytes([1, 2]), ...over }];
    it.each([
      ['a storage of the wrong length', one({ data: () => float32Bytes([1]) }), /Expected 8 bytes of float32 storage for w but received 4/],
      ['duplicate names', [...one({}), ...one({})], /unique tensor names/],
      ['strides of the wrong rank', one({ stride: [1, 1] }), /strides for w/],
      ['a storage too small for the view', one({ storageNumel: 1 }), /storage of at least 2 elements/],
      ['a negative size', one({ shape: [-1] }), /non-negative integer sizes/],
    ])('should throw RangeError for %s and leave no file', async (_, tensors, message) => {
      const path = join(dir, 'bad.pt');
      await expect(saveCheckpoint(path, tensors)).rejects.toThrow(RangeError);
      await expect(saveCheckpoint(path, tensors)).rejects.toThrow(message);
      expect(readdirSync(dir).filter((f) => f.startsWith('bad.pt'))).toEqual([]);
    });
  });

  describe('EXPECTED FAILURE', () => {
    it('should keep an existing file and leave no temporary file when a storage fails', async () => {
      const path = join(dir, 'keep.pt');
      writeFileSync(path, 'previous');
      const tensors: SavedTensor[] = [
        { name: 'a', shape: [1], data: () => float32Bytes([1]) },
        { name: 'b', shape: [1], data: () => Promise.reject(new Error('generator failed')) },
      ];
      const error = await saveCheckpoint(path, tensors).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckpointError);
      expect(error).toMatchObject({ code: 'E2V_ERR_CHECKPOINT_WRITE', message: expect.stringContaining('generator failed') });
      expect(readFileSync(path, 'utf8')).toBe('previous');
      expect(readdirSync(dir).filter((f) => f.startsWith('keep.pt'))).toEqual(['keep.pt']);
    });

    it('should report a folder that cannot be written', async () => {
      const path = join(dir, 'missing-folder', 'model.pt');
      await expect(saveCheckpoint(path, [])).rejects.toMatchObject({ code: 'E2V_ERR_CHECKPOINT_WRITE', message: expect.stringContaining('missing-folder') });
    });
  });
});
