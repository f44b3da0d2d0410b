import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEmotion2vecGraph, EMOTION2VEC_IR_VERSION, EMOTION2VEC_OPSET, openCheckpoint, parseConfig, writeModel } from '@e2v/convert';
import { Engine } from '../engine.js';
import { ModelLoadError } from '../errors.js';
import { checkpointDir, testModelDir } from '@e2v/testkit';
import { modelCopy } from '../test-support/golden.js';
import { buildOnnx } from '../test-support/onnx-builder.js';
import { chooseVariant, int8IsFaster } from './variant-choice.js';
import { cpuFeatures } from '@e2v/native';

async function loadError(dir: string, options?: Parameters<typeof Engine.load>[1]): Promise<ModelLoadError> {
  try {
    const engine = await Engine.load(dir, options);
    await engine.close();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelLoadError);
    return error as ModelLoadError;
  }
  throw new Error(`Engine.load(${dir}) succeeded`);
}

async function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): Promise<void> {
  const path = join(dir, 'model.json');
  const m = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(m);
  await writeFile(path, JSON.stringify(m));
}

/**
 * Writes tiny-a's fp32 graph into `dir` as e2v wrote it before the contract had `frame_logits`:
 * the converter's graph without that output.
 */
async function writeGraphWithoutFrameLogits(dir: string): Promise<void> {
  const config = parseConfig(await readFile(join(checkpointDir('tiny-a'), 'config.yaml'), 'utf8'));
  const reader = await openCheckpoint(join(checkpointDir('tiny-a'), 'model.pt'));
  try {
    const graph = buildEmotion2vecGraph({ config, numLabels: 9, weights: reader });
    graph.outputs.splice(
      graph.outputs.findIndex((o) => o.name === 'frame_logits'),
      1,
    );
    const versions = { irVersion: EMOTION2VEC_IR_VERSION, opsetVersion: EMOTION2VEC_OPSET, producerName: 'test', producerVersion: '0' };
    await writeModel(graph, { modelPath: join(dir, 'model.onnx'), dataFileName: 'model.onnx.data', ...versions });
  } finally {
    await reader.close();
  }
}

describe('Engine.load: EXPECTED FAILURE', () => {
  it('should refuse a folder that does not exist', async () => {
    const error = await loadError('/nonexistent/e2v-model');
    expect(error.code).toBe('E2V_ERR_MODEL_NOT_FOUND');
    expect(error.message).toMatch(/model\.json is missing/);
  });

  it('should refuse a folder without model.json', async () => {
    const dir = await modelCopy('tiny-a');
    await rm(join(dir, 'model.json'));
    expect((await loadError(dir)).code).toBe('E2V_ERR_MODEL_NOT_FOUND');
  });

  it.each(['model.onnx', 'model.onnx.data'])('should name a missing %s', async (file) => {
    const dir = await modelCopy('tiny-a');
    await rm(join(dir, file));
    const error = await loadError(dir);
    expect(error.code).toBe('E2V_ERR_MODEL_NOT_FOUND');
    expect(error.message).toContain(join(dir, file));
    expect(error.modelDir).toBe(dir);
  });

  it('should refuse a model.json that is not JSON', async () => {
    const dir = await modelCopy('tiny-a');
    await writeFile(join(dir, 'model.json'), '{ "name": ');
    const error = await loadError(dir);
    expect(error.code).toBe('E2V_ERR_MODEL_MANIFEST');
    expect(error.message).toMatch(/not JSON/);
  });

  it('should name the bad field of model.json', async () => {
    const dir = await modelCopy('tiny-a');
    await editManifest(dir, (m) => {
      m.embeddingDim = 'large';
    });
    const error = await loadError(dir);
    expect(error.code).toBe('E2V_ERR_MODEL_MANIFEST');
    expect(error.message).toMatch(/embeddingDim/);
  });

  it('should refuse a variant the folder does not have', async () => {
    const error = await loadError(testModelDir('tiny-b-5class'), { variant: 'int8' });
    expect(error.code).toBe('E2V_ERR_MODEL_VARIANT');
    expect(error.message).toMatch(/--int8/);
  });

  it('should refuse a label count that differs from the graph', async () => {
    const dir = await modelCopy('tiny-a');
    await editManifest(dir, (m) => {
      (m.labels as unknown[]).pop();
    });
    const error = await loadError(dir);
    expect(error.code).toBe('E2V_ERR_MODEL_LABELS');
    expect(error.message).toMatch(/the graph's logits have 9 labels but model\.json lists 8/);
  });

  it('should refuse a graph whose input is not `waveform`', async () => {
    const dir = await modelCopy('tiny-a');
    const onnx = buildOnnx({
      inputs: [{ name: 'audio', shape: ['batch', 'samples'] }],
      outputs: [{ name: 'frames', shape: ['batch', 'samples'] }],
      nodes: [{ op: 'Identity', inputs: ['audio'], outputs: ['frames'] }],
    });
    await writeFile(join(dir, 'model.onnx'), onnx);
    const error = await loadError(dir);
    expect(error.code).toBe('E2V_ERR_MODEL_GRAPH_IO');
    expect(error.message).toMatch(/expected one input 'waveform', found audio float32 \[batch, samples\]/);
  });

  it('should refuse a graph without the contract outputs', async () => {
    const dir = await modelCopy('tiny-a');
    const onnx = buildOnnx({
      inputs: [{ name: 'waveform', shape: ['batch', 'samples'] }],
      outputs: [{ name: 'logits', shape: ['batch', 'samples'] }],
      nodes: [{ op: 'Identity', inputs: ['waveform'], outputs: ['logits'] }],
    });
    await writeFile(join(dir, 'model.onnx'), onnx);
    const error = await loadError(dir);
    expect(error.code).toBe('E2V_ERR_MODEL_GRAPH_IO');
    expect(error.message).toMatch(/output 'frames' is missing/);
  });

  it('should report a graph ONNX Runtime cannot open', async () => {
    const dir = await modelCopy('tiny-a');
    const onnx = buildOnnx({
      inputs: [{ name: 'waveform', shape: ['batch', 'samples'] }],
      outputs: [{ name: 'frames', shape: ['batch', 'samples'] }],
      nodes: [{ op: 'NoSuchOperator', inputs: ['waveform'], outputs: ['frames'] }],
    });
    await writeFile(join(dir, 'model.onnx'), onnx);
    const error = await loadError(dir);
    expect(error.code).toBe('E2V_ERR_MODEL_SESSION');
    expect(error.message).toMatch(/NoSuchOperator/);
  });

  it('should tell how to convert again a folder whose graph has no frame_logits (an older e2v wrote it)', async () => {
    const dir = await modelCopy('tiny-a-int8');
    await writeGraphWithoutFrameLogits(dir);
    const error = await loadError(dir, { variant: 'fp32' });
    expect(error.code).toBe('E2V_ERR_MODEL_OUTDATED');
    expect(error.message).toContain(`${dir} was converted by an older e2v: its graph has no 'frame_logits' output`);
    expect(error.message).toContain(`\`e2v model convert --from DIR --out ${dir} --int8 --force\``);
    expect(error.message).toContain('`e2v model pull tiny-a-int8 --force --int8`');
  });
});

describe('Engine.load', () => {
  it('should load both variants and describe the model', async () => {
    for (const variant of ['fp32', 'int8'] as const) {
      const engine = await Engine.load(testModelDir('tiny-a-int8'), { variant, threads: 1 });
      try {
        expect(engine.info).toMatchObject({
          name: 'tiny-a-int8',
          variant,
          variantReason: 'requested',
          embeddingDim: 32,
          frameRate: 50,
          threads: 1,
          random: false,
        });
        expect(engine.info.labels.map((l) => l.key)).toEqual(['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'other', 'sad', 'surprised', 'unknown']);
        expect(engine.info.loadMs.session).toBeGreaterThan(0);
      } finally {
        await engine.close();
      }
    }
  });

  it('should run the faster variant for this CPU unless told (auto), and say why', async () => {
    const both = await Engine.load(testModelDir('tiny-a-int8'), { threads: 1 });
    const fp32Only = await Engine.load(testModelDir('tiny-a'), { threads: 1 });
    try {
      const expected = chooseVariant('auto', ['fp32', 'int8'], cpuFeatures());
      expect(both.info.variant).toBe(int8IsFaster(cpuFeatures()) ? 'int8' : 'fp32');
      expect(both.info.variantReason).toBe(expected.reason);
      expect(fp32Only.info.variant).toBe('fp32');
      expect(fp32Only.info.variantReason).toMatch(/^auto: fp32 is the only variant in the folder/);
    } finally {
      await both.close();
      await fp32Only.close();
    }
  });

  it('should reject bad options, naming them', async () => {
    await expect(Engine.load(testModelDir('tiny-a'), { thread: 2 } as never)).rejects.toThrow(/Unknown option 'thread'/);
    await expect(Engine.load(testModelDir('tiny-a'), { threads: 0 })).rejects.toThrow(RangeError);
    await expect(Engine.load(testModelDir('tiny-a'), { variant: 'fp16' as never })).rejects.toThrow(/variant/);
    await expect(Engine.load(testModelDir('tiny-a'), { maxSegmentS: 0.1 })).rejects.toThrow(/maxSegmentS/);
    await expect(Engine.load('' as string)).rejects.toThrow(TypeError);
  });
});
