import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConvertReport, convertCheckpoint } from '../convert.js';
import { checkpointDir, GOLDEN_CHECKPOINTS, GOLDEN_INPUTS, goldenExpected, maxDiff } from '@e2v/testkit';
import { goldenWaveform } from '../test-support/golden.js';
import { argmax, layerNormWaveform, softmax } from '../test-support/numeric.js';
import { openSession, runOne } from '../test-support/ort.js';
import { quantizeInt8PerColumn } from './quantize-int8.js';

describe('quantizeInt8PerColumn', () => {
  it('should scale each column by its absolute maximum / 127', () => {
    // [K=2, N=3]
    const w = Float32Array.of(1, -0.5, 0, -2, 0.25, 0);
    const { values, scales } = quantizeInt8PerColumn(w, 2, 3);
    expect(Array.from(scales)).toEqual([Math.fround(2 / 127), Math.fround(0.5 / 127), 1]);
    expect(Array.from(values)).toEqual([64, -127, 0, -127, 64, 0]);
  });

  it('should round halves to even like QuantizeLinear', () => {
    // column max 127 -> scale 1; 2.5 -> 2, 3.5 -> 4, -2.5 -> -2
    const w = Float32Array.of(127, 2.5, 3.5, -2.5);
    const { values } = quantizeInt8PerColumn(w, 4, 1);
    expect(Array.from(values)).toEqual([127, 2, 4, -2]);
  });

  it('should reject a size that does not match the shape', () => {
    expect(() => quantizeInt8PerColumn(new Float32Array(5), 2, 3)).toThrow(RangeError);
  });

  it('should reconstruct every weight within half a step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 36, maxLength: 36 }),
        (rows, cols, pool) => {
          const w = Float32Array.from(pool.slice(0, rows * cols));
          const { values, scales } = quantizeInt8PerColumn(w, rows, cols);
          for (let k = 0; k < rows; k++) {
            for (let n = 0; n < cols; n++) {
              const q = values[k * cols + n]!;
              expect(Math.abs(q)).toBeLessThanOrEqual(127);
              expect(Math.abs(q * scales[n]! - w[k * cols + n]!)).toBeLessThanOrEqual(scales[n]! / 2 + 1e-6 * scales[n]!);
            }
          }
        },
      ),
    );
  });
});

describe('int8 variant on the golden checkpoints', () => {
  let work: string;
  const reports = new Map<string, ConvertReport>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'e2v-int8-'));
    for (const ckpt of GOLDEN_CHECKPOINTS) {
      reports.set(ckpt, await convertCheckpoint({ from: checkpointDir(ckpt), out: join(work, ckpt), int8: true }));
    }
  }, 120_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('should list both variants in model.json, fp32 staying the default', async () => {
    for (const ckpt of GOLDEN_CHECKPOINTS) {
      const { manifest, out } = reports.get(ckpt)!;
      expect(manifest.variant).toBe('fp32');
      expect(manifest.variants.fp32).toMatchObject({ model: 'model.onnx', data: 'model.onnx.data' });
      expect(manifest.variants.int8).toMatchObject({ model: 'model.int8.onnx', data: 'model.int8.onnx.data' });
      expect((await readdir(out)).sort()).toEqual(['model.int8.onnx', 'model.int8.onnx.data', 'model.json', 'model.onnx', 'model.onnx.data']);
      // only linear weights shrink; conv weights stay float32, so the tiny models shrink less than 4x
      expect(manifest.variants.int8!.bytes.data).toBeLessThan(0.6 * manifest.variants.fp32.bytes.data);
    }
  });

  // Measured with ORT 1.30 (AVX-512 VNNI): 7/7 argmax, max score diff 0.012 (tiny-a) / 0.0045 (tiny-b),
  // max logit diff 0.054 / 0.034. Thresholds allow ~2.5x that; random tiny weights quantize worse than trained ones.
  it.each(GOLDEN_CHECKPOINTS)('should stay close to the fp32 reference on %s', async (ckpt) => {
    const session = await openSession(join(reports.get(ckpt)!.out, 'model.int8.onnx'));
    let agree = 0;
    let scoreDiff = 0;
    let logitDiff = 0;
    for (const input of GOLDEN_INPUTS) {
      const { result } = goldenExpected(ckpt, input);
      const { logits, frames } = await runOne(session, layerNormWaveform(goldenWaveform(input)));
      expect(frames!.dims[1]).toBe(result.num_frames);
      const scores = softmax(logits!.data);
      if (argmax(scores) === argmax(result.scores)) agree += 1;
      scoreDiff = Math.max(scoreDiff, maxDiff(scores, result.scores));
      logitDiff = Math.max(logitDiff, maxDiff(logits!.data, result.logits));
    }
    await session.release();
    expect(agree).toBeGreaterThanOrEqual(GOLDEN_INPUTS.length - 1);
    expect(scoreDiff).toBeLessThan(0.03);
    expect(logitDiff).toBeLessThan(0.15);
    expect(logitDiff).toBeGreaterThan(0); // it really is the quantized graph
  });
});
