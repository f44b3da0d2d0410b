import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../checkpoint/open.js';
import { parseConfig } from '../config/config.js';
import type { Emotion2vecConfig } from '../config/types.js';
import { checkpointDir, GOLDEN_CHECKPOINTS, GOLDEN_INPUTS, type GoldenCheckpoint, goldenExpected, maxDiff } from '@e2v/testkit';
import { goldenIntermediate, goldenWaveform } from '../test-support/golden.js';
import { layerNormWaveform, transpose } from '../test-support/numeric.js';
import { type RunOutputs, openSession, runOne } from '../test-support/ort.js';
import { EMOTION2VEC_IR_VERSION, EMOTION2VEC_OPSET, buildEmotion2vecGraph, frameCount, minInputSamples } from './emotion2vec-graph.js';
import { writeModel } from './write-model.js';

const FULL_SIZE_CONFIG = join(checkpointDir('tiny-a'), '..', '..', 'full-size-config.yaml');

async function loadConfig(ckpt: GoldenCheckpoint): Promise<Emotion2vecConfig> {
  return parseConfig(await readFile(join(checkpointDir(ckpt), 'config.yaml'), 'utf8'));
}

describe('minInputSamples / frameCount', () => {
  it('should give the 400-sample receptive field of the emotion2vec+ conv stack', async () => {
    expect(minInputSamples(await loadConfig('tiny-a'))).toBe(400);
    expect(minInputSamples(parseConfig(await readFile(FULL_SIZE_CONFIG, 'utf8')))).toBe(400);
  });

  it('should count frames like the reference for every golden input', async () => {
    const config = await loadConfig('tiny-a');
    for (const input of GOLDEN_INPUTS) {
      expect(frameCount(config, goldenWaveform(input).length)).toBe(goldenExpected('tiny-a', input).result.num_frames);
    }
    expect(frameCount(config, 400)).toBe(1);
    expect(frameCount(config, 399)).toBe(0);
    expect(frameCount(config, 5)).toBe(0);
  });

  it('should follow the spec for other conv stacks', () => {
    const audio = {
      featureEncoderSpec: [
        [8, 4, 2],
        [8, 3, 3],
      ],
    } as unknown as Emotion2vecConfig['audio'];
    // L1 = floor((N-4)/2)+1 >= 3 -> N >= 8
    expect(minInputSamples({ audio })).toBe(8);
    expect(frameCount({ audio }, 8)).toBe(1);
    expect(frameCount({ audio }, 7)).toBe(0);
  });
});

describe('buildEmotion2vecGraph', () => {
  it('should reject an even positional conv kernel (SamePad would trim a step)', async () => {
    const config = await loadConfig('tiny-a');
    const bad = { ...config, audio: { ...config.audio, convPosWidth: 96, convPosDepth: 6 } };
    expect(() => buildEmotion2vecGraph({ config: bad, numLabels: 9, weights: { read: () => Promise.reject(new Error('unused')) } })).toThrow(
      expect.objectContaining({ code: 'E2V_ERR_CONVERT_UNSUPPORTED' }) as Error,
    );
  });

  it('should reject an out-of-range masked label index', async () => {
    const config = await loadConfig('tiny-a');
    expect(() =>
      buildEmotion2vecGraph({ config, numLabels: 9, maskedLabelIndices: [9], weights: { read: () => Promise.reject(new Error('unused')) } }),
    ).toThrow(RangeError);
  });
});

const STAGE_CASES = GOLDEN_CHECKPOINTS.flatMap((ckpt) => (['ort-mha', 'onnx'] as const).map((attention) => ({ ckpt, attention })));

describe.each(STAGE_CASES)('per-stage parity on short_0s3_16k: $ckpt, $attention attention', ({ ckpt, attention }) => {
  let dir: string;
  let out: RunOutputs;
  let config: Emotion2vecConfig;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2v-graph-'));
    config = await loadConfig(ckpt);
    const reader = await openCheckpoint(join(checkpointDir(ckpt), 'model.pt'));
    try {
      const graph = buildEmotion2vecGraph({ config, numLabels: 9, weights: reader, intermediates: true, attention });
      await writeModel(graph, {
        modelPath: join(dir, 'model.onnx'),
        dataFileName: 'model.onnx.data',
        irVersion: EMOTION2VEC_IR_VERSION,
        opsetVersion: EMOTION2VEC_OPSET,
        producerName: 'test',
        producerVersion: '0',
      });
    } finally {
      await reader.close();
    }
    const session = await openSession(join(dir, 'model.onnx'));
    out = await runOne(session, layerNormWaveform(goldenWaveform('short_0s3_16k')));
    await session.release();
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const channelsLast = (name: string) => {
    const golden = goldenIntermediate(ckpt, name);
    const [c, l] = golden.shape as [number, number];
    return transpose(golden.data, c, l);
  };

  it('should match every conv layer output (after LayerNorm + GELU)', () => {
    for (let i = 0; i < config.audio.featureEncoderSpec.length; i++) {
      expect(maxDiff(out[`conv_layer${i}_out`]!.data, channelsLast(`00_conv_layer${i}_out`)), `layer ${i}`).toBeLessThan(2e-5);
    }
    expect(maxDiff(out.conv_features!.data, channelsLast('01_conv_features'))).toBeLessThan(2e-5);
  });

  it('should match project_features, the positional term and the prenet input', () => {
    expect(maxDiff(out.projected!.data, goldenIntermediate(ckpt, '02_projected').data)).toBeLessThan(2e-5);
    expect(maxDiff(out.relative_pos!.data, goldenIntermediate(ckpt, '03_relative_pos').data)).toBeLessThan(2e-5);
    expect(maxDiff(out.prenet_input!.data, goldenIntermediate(ckpt, '04_prenet_input_with_extra_tokens').data)).toBeLessThan(2e-5);
  });

  it('should build the ALiBi bias exactly (clamped scales, zero rows/columns for extra tokens)', () => {
    const golden = goldenIntermediate(ckpt, '05_alibi_bias_scaled_padded');
    expect(out.alibi_bias!.dims).toEqual([1, ...golden.shape]);
    expect(maxDiff(out.alibi_bias!.data, golden.data)).toBe(0);
  });

  it('should match the prenet output and every block output', () => {
    expect(maxDiff(out.prenet_output!.data, goldenIntermediate(ckpt, '06_prenet_output').data)).toBeLessThan(5e-5);
    for (let i = 0; i < config.depth; i++) {
      expect(maxDiff(out[`block${i}_out`]!.data, goldenIntermediate(ckpt, `07_block${i}_out`).data), `block ${i}`).toBeLessThan(1e-4);
    }
  });
});
