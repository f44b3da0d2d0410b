import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvertError } from '../errors.js';
import { GraphBuilder, attr } from './graph.js';
import { DataType } from './onnx-proto.js';
import { writeModel } from './write-model.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2v-onnx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASE = { irVersion: 8, opsetVersion: 17, producerName: 'e2v-test', producerVersion: '0' };

describe('writeModel', () => {
  it('should write a graph ORT runs, with external weights, dynamic dims and attributes', async () => {
    const g = new GraphBuilder('smoke');
    const x = g.input('x', DataType.FLOAT, ['batch', 'n', 3]);
    const produced: string[] = [];
    const w = g.weight('w', DataType.FLOAT, [3, 2], () => {
      produced.push('w');
      return Float32Array.of(1, 2, 3, 4, 5, 6);
    });
    const big = g.weight('big', DataType.FLOAT, [300_000], () => {
      produced.push('big');
      return new Float32Array(300_000).fill(0.5);
    });
    const y = g.op('Add', [g.op('MatMul', [x, w]), g.floats('bias', [10, 20])]);
    const scale = g.op('ReduceMean', [big], { keepdims: attr.int(0), axes: attr.ints([0]) });
    const ln = g.op('LayerNormalization', [y, g.floats('one', [1, 1]), g.floats('zero', [0, 0])], {
      axis: attr.int(-1),
      epsilon: attr.float(1e-5),
    });
    g.output(g.op('Mul', [y, scale]), 'y', DataType.FLOAT, ['batch', 'n', 2]);
    g.output(ln, 'ln', DataType.FLOAT, ['batch', 'n', 2]);
    const done: number[] = [];
    const modelPath = join(dir, 'smoke.onnx');
    const written = await writeModel(g, {
      ...BASE,
      modelPath,
      dataFileName: 'smoke.onnx.data',
      metadata: { hello: 'world' },
      onWeight: (d) => done.push(d),
    });
    expect(produced).toEqual(['w', 'big']);
    expect(done).toEqual([1, 2]);
    expect(written.weights).toBe(2);
    // 24 bytes of w, then `big` (1.2 MB) aligned to 64 KiB
    expect(written.dataBytes).toBe(65536 + 1_200_000);
    expect((await stat(join(dir, 'smoke.onnx.data'))).size).toBe(written.dataBytes);
    expect((await readFile(modelPath)).length).toBe(written.modelBytes);

    const session = await ort.InferenceSession.create(modelPath);
    const input = Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1);
    const out = await session.run({ x: new ort.Tensor('float32', input, [2, 2, 3]) });
    expect(out.y?.dims).toEqual([2, 2, 2]);
    expect(Array.from(out.y?.data as Float32Array)).toEqual([5.5, 11, 6.5, 12, 7.5, 13, 9.5, 16]);
    const lnData = out.ln?.data as Float32Array;
    expect(lnData[0]).toBeCloseTo(-1, 3);
    expect(lnData[1]).toBeCloseTo(1, 3);
    await session.release();
  });

  it('should refuse a producer returning the wrong size or type', async () => {
    const g = new GraphBuilder('bad');
    g.weight('w', DataType.FLOAT, [4], () => new Float32Array(3));
    await expect(writeModel(g, { ...BASE, modelPath: join(dir, 'bad.onnx'), dataFileName: 'bad.onnx.data' })).rejects.toMatchObject({
      name: 'ConvertError',
      code: 'E2V_ERR_CONVERT_WEIGHT',
    });
    const g2 = new GraphBuilder('bad2');
    g2.weight('w', DataType.INT8, [4], () => new Float32Array(4));
    await expect(writeModel(g2, { ...BASE, modelPath: join(dir, 'bad2.onnx'), dataFileName: 'bad2.onnx.data' })).rejects.toBeInstanceOf(ConvertError);
  });

  it('should reject a data file name with a folder', async () => {
    const g = new GraphBuilder('x');
    await expect(writeModel(g, { ...BASE, modelPath: join(dir, 'x.onnx'), dataFileName: '../x.data' })).rejects.toThrow(RangeError);
  });
});

describe('GraphBuilder', () => {
  it('should generate unique names and refuse duplicates', () => {
    const g = new GraphBuilder('names');
    expect(g.fresh('a')).toBe('a');
    expect(g.fresh('a')).toBe('a_1');
    g.input('x', DataType.FLOAT, [1]);
    expect(() => g.input('x', DataType.FLOAT, [1])).toThrow(RangeError);
    expect(() => g.constant('c', Float32Array.of(1, 2), [3])).toThrow(RangeError);
  });
});
