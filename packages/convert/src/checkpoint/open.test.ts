import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/config.js';
import { parseTokens } from '../config/tokens.js';
import { expectedTensorShapes, validateTensors } from '../config/validate-tensors.js';
import { CheckpointError } from '../errors.js';
import { openCheckpoint } from './open.js';
import { OP } from './opcodes.js';
import { PickleWriter } from './pickle-writer.js';
import {
  float32Bytes,
  GOLDEN_CHECKPOINTS,
  goldenFile,
  HAS_PYTHON_NUMPY,
  sha256Float32,
  tempDir,
  torchLoadMimic,
  writeArchive,
} from './test-support/checkpoints.js';
import { buildTorchPickle, type TensorReference } from './torch-pickle-writer.js';
import { SIG } from './zip-format.js';

describe.each(GOLDEN_CHECKPOINTS)('golden checkpoint %s', (checkpoint) => {
  const config = parseConfig(readFileSync(goldenFile(checkpoint, 'config.yaml'), 'utf8'));
  const labels = parseTokens(readFileSync(goldenFile(checkpoint, 'tokens.txt'), 'utf8'));

  it('should list exactly the tensors and shapes its config predicts', async () => {
    const ckpt = await openCheckpoint(goldenFile(checkpoint, 'model.pt'));
    try {
      const found = [...ckpt.tensors].map(([name, info]) => [name, [...info.shape]]);
      expect(found).toEqual([...expectedTensorShapes(config, labels.length)]);
      expect([...ckpt.tensors.values()].every((info) => info.dtype === 'float32')).toBe(true);
      expect(() => validateTensors(config, labels.length, ckpt.tensors)).not.toThrow();
    } finally {
      await ckpt.close();
    }
  });

  it('should read finite values in the ranges the golden README states', async () => {
    const ckpt = await openCheckpoint(goldenFile(checkpoint, 'model.pt'));
    try {
      for (const [name, info] of ckpt.tensors) {
        const values = await ckpt.read(name);
        expect(values.length).toBe(info.shape.reduce((a, b) => a * b, 1));
        expect(values.every(Number.isFinite), name).toBe(true);
        if (/norm\d?\.weight$|\.2\.1\.weight$|project_features\.1\.weight$/.test(name)) {
          expect(Math.min(...values), name).toBeGreaterThanOrEqual(0.6);
          expect(Math.max(...values), name).toBeLessThanOrEqual(1.4);
        }
      }
      const scales = await ckpt.read('modality_encoders.AUDIO.alibi_scale');
      expect(ckpt.tensors.get('modality_encoders.AUDIO.alibi_scale')?.shape).toEqual([1, 1, config.numHeads, 1, 1]);
      scales.forEach((scale, head) => {
        if (checkpoint === 'tiny-a' && head === 2)
          expect(scale).toBeLessThan(0); // clamped to 0 by the reference
        else expect(scale).toBeGreaterThanOrEqual(0.3);
      });
    } finally {
      await ckpt.close();
    }
  });

  it.skipIf(!HAS_PYTHON_NUMPY)('should read the same bytes as a Python torch.load mimic', async () => {
    const mimic = torchLoadMimic(goldenFile(checkpoint, 'model.pt'));
    expect(mimic.prefix).toBe(checkpoint === 'tiny-a' ? 'model/' : 'checkpoint_best/');
    const ckpt = await openCheckpoint(goldenFile(checkpoint, 'model.pt'));
    try {
      const ours = await Promise.all([...ckpt.tensors].map(async ([name, info]) => [name, [[...info.shape], sha256Float32(await ckpt.read(name))]] as const));
      const theirs = Object.entries(mimic.tensors).map(([key, value]) => [key.replace(/^d2v_model\./, ''), value]);
      expect(ours).toEqual(theirs);
    } finally {
      await ckpt.close();
    }
  });
});

describe('openCheckpoint', () => {
  let dir: string;
  let cleanup: () => void;
  let n = 0;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());
  const nextPath = (): string => join(dir, `case-${n++}.pt`);

  /** A one-tensor archive with the given pickle and storages. */
  async function archive(pickle: Uint8Array, storages: [string, Uint8Array][] = [], prefix = 'archive/'): Promise<string> {
    const path = nextPath();
    await writeArchive(path, [[`${prefix}data.pkl`, pickle], ...storages.map(([key, data]) => [`${prefix}data/${key}`, data] as const)]);
    return path;
  }
  const ref = (over: Partial<TensorReference> = {}): TensorReference => ({
    dtype: 'float32',
    key: '0',
    storageNumel: 4,
    offset: 0,
    shape: [4],
    stride: [1],
    ...over,
  });
  const expectFailure = async (path: string, code: string, message: RegExp): Promise<void> => {
    const error = await openCheckpoint(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
  };

  it('should read tensors and refuse unknown names and reads after close', async () => {
    const path = await archive(buildTorchPickle([['d2v_model.w', ref()]], { layout: 'fairseq' }), [['0', float32Bytes([1, 2, 3, 4])]]);
    const ckpt = await openCheckpoint(path);
    expect(await ckpt.read('w')).toEqual(Float32Array.of(1, 2, 3, 4));
    await expect(ckpt.read('blocks.0.norm1.weight')).rejects.toMatchObject({
      code: 'E2V_ERR_CHECKPOINT_MISSING_TENSOR',
      message: expect.stringContaining('blocks.0.norm1.weight'),
    });
    await ckpt.close();
    await ckpt.close();
    await expect(ckpt.read('w')).rejects.toMatchObject({ code: 'E2V_ERR_CHECKPOINT_CLOSED' });
  });

  describe('EXPECTED FAILURE', () => {
    it('should reject a missing file', async () => {
      await expectFailure(join(dir, 'nope.pt'), 'E2V_ERR_CHECKPOINT_IO', /cannot open checkpoint .*nope\.pt/);
    });

    it('should reject files that are not zip archives', async () => {
      const empty = nextPath();
      writeFileSync(empty, '');
      await expectFailure(empty, 'E2V_ERR_CHECKPOINT_NOT_ZIP', /not a zip archive/);
      const legacy = nextPath();
      writeFileSync(legacy, new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, ...new Array<number>(200).fill(0x4e)]));
      await expectFailure(legacy, 'E2V_ERR_CHECKPOINT_NOT_ZIP', /legacy/);
    });

    it('should reject truncated archives', async () => {
      const golden = readFileSync(goldenFile('tiny-a', 'model.pt'));
      const head = nextPath();
      writeFileSync(head, golden.subarray(0, golden.length >> 1));
      await expectFailure(head, 'E2V_ERR_CHECKPOINT_NOT_ZIP', /end-of-central-directory/);
      const holed = nextPath();
      writeFileSync(holed, Buffer.concat([golden.subarray(0, 1000), golden.subarray(5000)]));
      await expectFailure(holed, 'E2V_ERR_CHECKPOINT_ZIP_CORRUPT', /central directory|local header|zip64 end record/);
    });

    it('should reject an archive without data.pkl, or with two', async () => {
      const none = nextPath();
      await writeArchive(none, [['archive/data/0', float32Bytes([1])]]);
      await expectFailure(none, 'E2V_ERR_CHECKPOINT_NO_DATA_PKL', /no <folder>\/data\.pkl/);
      const two = nextPath();
      const pickle = buildTorchPickle([], { layout: 'bare' });
      await writeArchive(two, [
        ['a/data.pkl', pickle],
        ['b/data.pkl', pickle],
      ]);
      await expectFailure(two, 'E2V_ERR_CHECKPOINT_NO_DATA_PKL', /2 data\.pkl entries \(a\/data\.pkl, b\/data\.pkl\)/);
    });

    it('should reject a compressed entry', async () => {
      const bytes = Buffer.from(readFileSync(goldenFile('tiny-a', 'model.pt')));
      const name = Buffer.from('model/data.pkl');
      for (let at = bytes.lastIndexOf(name); at >= 46; at = bytes.lastIndexOf(name, at - 1)) {
        if (bytes.readUInt32LE(at - 46) === SIG.CENTRAL) bytes.writeUInt16LE(8, at - 46 + 10); // method: deflate
      }
      const path = nextPath();
      writeFileSync(path, bytes);
      await expectFailure(path, 'E2V_ERR_CHECKPOINT_ZIP_UNSUPPORTED', /model\/data\.pkl uses compression method 8/);
    });

    it('should reject a byte that is no pickle opcode', async () => {
      const pickle = new PickleWriter().op(OP.PROTO, 2).op(0xff).finish();
      await expectFailure(await archive(pickle), 'E2V_ERR_CHECKPOINT_PICKLE_OPCODE', /0xff \(not a pickle opcode\)/);
    });

    it('should leave os.system inert, never running it, and find no state dict in a pickle that is only that', async () => {
      const marker = join(dir, 'owned');
      const pickle = new PickleWriter().op(OP.PROTO, 2).global('os', 'system');
      pickle.tuple(1, () => pickle.str(`touch ${marker}`)).op(OP.REDUCE);
      await expectFailure(await archive(pickle.finish()), 'E2V_ERR_CHECKPOINT_NO_STATE_DICT', /top level is not a dict/);
      expect(existsSync(marker)).toBe(false);
    });

    it('should reject tensor data beyond its storage or entry', async () => {
      const beyondEntry = buildTorchPickle([['w', ref({ storageNumel: 1000, shape: [1000] })]], { layout: 'bare' });
      await expectFailure(
        await archive(beyondEntry, [['0', float32Bytes([1, 2, 3, 4])]]),
        'E2V_ERR_CHECKPOINT_TENSOR_LAYOUT',
        /tensor w: storage 0 claims 1000/,
      );
      const beyondStorage = buildTorchPickle([['w', ref({ offset: 2 })]], { layout: 'bare' });
      await expectFailure(await archive(beyondStorage, [['0', float32Bytes([1, 2, 3, 4])]]), 'E2V_ERR_CHECKPOINT_TENSOR_LAYOUT', /reaches element 5/);
      const huge = buildTorchPickle([['w', ref({ shape: [2 ** 40, 2 ** 40], stride: [0, 0] })]], { layout: 'bare' });
      await expectFailure(await archive(huge, [['0', float32Bytes([1, 2, 3, 4])]]), 'E2V_ERR_CHECKPOINT_TOO_LARGE', /tensor w has/);
    });

    it('should reject a tensor whose storage entry is missing', async () => {
      const pickle = buildTorchPickle([['w', ref({ key: '7' })]], { layout: 'bare' });
      await expectFailure(await archive(pickle, [['0', float32Bytes([1, 2, 3, 4])]]), 'E2V_ERR_CHECKPOINT_MISSING_STORAGE', /no entry archive\/data\/7/);
    });

    it('should reject a checkpoint without tensors, or with clashing names', async () => {
      const noTensors = new PickleWriter().op(OP.PROTO, 2).value({ epoch: 3, model: {} }).finish();
      await expectFailure(await archive(noTensors), 'E2V_ERR_CHECKPOINT_NO_STATE_DICT', /top-level keys: epoch, model/);
      const clash = buildTorchPickle(
        [
          ['module.proj.weight', ref()],
          ['proj.weight', ref()],
        ],
        { layout: 'bare' },
      );
      await expectFailure(
        await archive(clash, [['0', float32Bytes([1, 2, 3, 4])]]),
        'E2V_ERR_CHECKPOINT_DUPLICATE_TENSOR',
        /module\.proj\.weight and proj\.weight/,
      );
    });

    it('should reject a big-endian checkpoint', async () => {
      const path = nextPath();
      const pickle = buildTorchPickle([['w', ref()]], { layout: 'bare' });
      await writeArchive(path, [
        ['m/data.pkl', pickle],
        ['m/byteorder', new TextEncoder().encode('big')],
        ['m/data/0', float32Bytes([1, 2, 3, 4])],
      ]);
      await expectFailure(path, 'E2V_ERR_CHECKPOINT_BYTEORDER', /"big"/);
      const little = nextPath();
      await writeArchive(little, [
        ['m/data.pkl', pickle],
        ['m/byteorder', new TextEncoder().encode('little')],
        ['m/data/0', float32Bytes([1, 2, 3, 4])],
      ]);
      const ckpt = await openCheckpoint(little);
      expect(await ckpt.read('w')).toEqual(Float32Array.of(1, 2, 3, 4));
      await ckpt.close();
    });

    it('should fail with a typed error or succeed on random mutations of a checkpoint', async () => {
      const base = nextPath();
      const pickle = buildTorchPickle(
        [
          ['d2v_model.a', ref({ shape: [2, 2], stride: [1, 2] })],
          ['proj.weight', ref({ key: '1', dtype: 'float16', storageNumel: 3, shape: [3], stride: [1] })],
        ],
        { layout: 'fairseq', cfg: { model: { embed_dim: 4 } } },
      );
      await writeArchive(base, [
        ['model/data.pkl', pickle],
        ['model/data/0', float32Bytes([1, 2, 3, 4])],
        ['model/data/1', new Uint8Array(6)],
        ['model/version', Uint8Array.of(0x33, 0x0a)],
      ]);
      const original = readFileSync(base);
      const mutation = fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: original.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat({ max: original.length - 1 }), value: fc.constant(0) }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat({ max: original.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }),
      );
      const target = nextPath();
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
          let bytes = Buffer.from(original);
          for (const { kind, at, value } of mutations) {
            if (kind === 'flip') bytes[at % bytes.length] = value;
            else if (kind === 'cut') bytes = bytes.subarray(0, at % bytes.length);
            else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.of(value), bytes.subarray(at)]);
          }
          writeFileSync(target, bytes);
          try {
            const ckpt = await openCheckpoint(target);
            try {
              for (const name of ckpt.tensors.keys()) await ckpt.read(name);
            } finally {
              await ckpt.close();
            }
          } catch (error) {
            if (!(error instanceof CheckpointError)) throw error;
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
