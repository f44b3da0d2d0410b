import { INT8_WEIGHT_LIMIT, openCheckpoint } from '@e2v/convert';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../errors.js';
import { checkpointDir, maxDiff, testModelDir } from '@e2v/testkit';
import { buildOnnx } from '../test-support/onnx-builder.js';
import { frameLogits, loadHead } from './head.js';
import { listInitializers, readInitializer } from './onnx-initializers.js';

async function checkpointHead(ckpt: 'tiny-a' | 'tiny-b-5class'): Promise<{ weight: Float32Array; bias: Float32Array }> {
  const reader = await openCheckpoint(join(checkpointDir(ckpt), 'model.pt'));
  try {
    return { weight: await reader.read('proj.weight'), bias: await reader.read('proj.bias') };
  } finally {
    await reader.close();
  }
}

/** [C, D] -> [D, C]. */
function transposed(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
  return t;
}

describe('loadHead', () => {
  it('should read the fp32 head from the external data exactly as in model.pt', async () => {
    for (const [name, ckpt, D] of [['tiny-a', 'tiny-a', 32], ['tiny-b-5class', 'tiny-b-5class', 64]] as const) {
      const head = await loadHead(join(testModelDir(name), 'model.onnx'), testModelDir(name));
      const ref = await checkpointHead(ckpt);
      expect([head.inDim, head.outDim]).toEqual([D, 9]);
      expect(head.weightT).toEqual(transposed(ref.weight, 9, D));
      expect(head.bias).toEqual(ref.bias);
    }
  });

  it('should dequantize the int8 head to within half a quantization step', async () => {
    const head = await loadHead(join(testModelDir('tiny-a-int8'), 'model.int8.onnx'), testModelDir('tiny-a-int8'));
    const ref = await checkpointHead('tiny-a');
    const w = transposed(ref.weight, 9, 32);
    for (let c = 0; c < 9; c++) {
      let absMax = 0;
      for (let d = 0; d < 32; d++) absMax = Math.max(absMax, Math.abs(w[d * 9 + c]!));
      const step = absMax / INT8_WEIGHT_LIMIT;
      for (let d = 0; d < 32; d++) expect(Math.abs(head.weightT[d * 9 + c]! - w[d * 9 + c]!)).toBeLessThanOrEqual(step / 2 + 1e-7);
    }
    expect(head.bias).toEqual(ref.bias);
  });

  it('should read inline raw_data / float_data, and a PyTorch-style proj.weight [C, D]', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-head-'));
    const weight = Float32Array.from({ length: 6 }, (_, i) => i + 1); // [C=2, D=3]
    const onnx = buildOnnx({
      inputs: [{ name: 'waveform', shape: ['batch', 'samples'] }],
      outputs: [{ name: 'frames', shape: ['batch', 'samples'] }],
      nodes: [{ op: 'Identity', inputs: ['waveform'], outputs: ['frames'] }],
      initializers: [
        { name: 'proj.weight', dims: [2, 3], data: weight },
        { name: 'proj.bias', dims: [2], data: Float32Array.from([0.5, -0.5]), asFloatData: true },
      ],
    });
    await writeFile(join(dir, 'g.onnx'), onnx);
    const head = await loadHead(join(dir, 'g.onnx'), dir);
    expect(head).toEqual({ inDim: 3, outDim: 2, weightT: Float32Array.from([1, 4, 2, 5, 3, 6]), bias: Float32Array.from([0.5, -0.5]) });
    // frame logits: bias + x . W[c]
    const logits = frameLogits(head, Float32Array.from([1, 0, 0, 1, 1, 1]), 2);
    expect(Array.from(logits)).toEqual([1.5, 3.5, 6.5, 14.5]);
  });

  it('should fail with E2V_ERR_MODEL_HEAD for a file that is not ONNX', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-head-'));
    await writeFile(join(dir, 'g.onnx'), Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    const error = await loadHead(join(dir, 'g.onnx'), dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).code).toBe('E2V_ERR_MODEL_HEAD');
  });
});

describe('listInitializers / readInitializer', () => {
  it('should find external tensors with offsets inside the data file', async () => {
    const path = join(testModelDir('tiny-a'), 'model.onnx');
    const { readFile } = await import('node:fs/promises');
    const all = listInitializers(new Uint8Array(await readFile(path)));
    expect(all.size).toBeGreaterThan(20);
    const extra = all.get('modality_encoders.AUDIO.extra_tokens');
    expect(extra?.dims).toEqual([1, 10, 32]);
    expect(extra?.external?.location).toBe('model.onnx.data');
    const reader = await openCheckpoint(join(checkpointDir('tiny-a'), 'model.pt'));
    const expected = await reader.read('modality_encoders.AUDIO.extra_tokens');
    await reader.close();
    expect(maxDiff((await readInitializer(path, extra!)) as Float32Array, expected)).toBe(0);
  });
});
