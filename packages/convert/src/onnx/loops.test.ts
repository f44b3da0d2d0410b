import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointDir, GOLDEN_INPUTS, maxDiff } from '@e2v/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../checkpoint/open.js';
import { parseConfig } from '../config/config.js';
import { goldenWaveform } from '../test-support/golden.js';
import { layerNormWaveform } from '../test-support/numeric.js';
import { openSession, runOne, type RunOutputs } from '../test-support/ort.js';
import { buildEmotion2vecGraph, EMOTION2VEC_IR_VERSION, EMOTION2VEC_OPSET, frameCount } from './emotion2vec-graph.js';
import { convGeometry } from './extractor-loop.js';
import { writeModel } from './write-model.js';

describe('convGeometry', () => {
  it('should give the total stride and receptive field of a conv stack', () => {
    const emotion2vec: [number, number, number][] = [
      [512, 10, 5],
      ...Array.from({ length: 4 }, (): [number, number, number] => [512, 3, 2]),
      [512, 2, 2],
      [512, 2, 2],
    ];
    expect(convGeometry(emotion2vec)).toEqual({ stride: 320, field: 400 });
    expect(
      convGeometry([
        [8, 4, 2],
        [8, 3, 3],
      ]),
    ).toEqual({ stride: 6, field: 8 });
  });
});

/**
 * Chunk sizes (extractor frames = attention rows): one, an odd size that leaves a short last
 * chunk and splits the 10 extra tokens from the frames mid-block, and larger than any input.
 */
const CHUNKS = [1, 7, 100_000];

describe('the conv feature extractor and the attention in chunks (tiny-a)', () => {
  const dir: Record<number, string> = {};
  const models: Record<number, string> = {};

  beforeAll(async () => {
    const config = parseConfig(await readFile(join(checkpointDir('tiny-a'), 'config.yaml'), 'utf8'));
    const reader = await openCheckpoint(join(checkpointDir('tiny-a'), 'model.pt'));
    try {
      for (const chunk of [0, ...CHUNKS]) {
        dir[chunk] = await mkdtemp(join(tmpdir(), 'e2v-chunks-'));
        models[chunk] = join(dir[chunk]!, 'model.onnx');
        const graph = buildEmotion2vecGraph({ config, numLabels: 9, weights: reader, extractorChunkFrames: chunk, attentionChunkTokens: chunk });
        await writeModel(graph, {
          modelPath: models[chunk]!,
          dataFileName: 'model.onnx.data',
          irVersion: EMOTION2VEC_IR_VERSION,
          opsetVersion: EMOTION2VEC_OPSET,
          producerName: 'test',
          producerVersion: '0',
        });
      }
    } finally {
      await reader.close();
    }
  });

  afterAll(async () => {
    for (const d of Object.values(dir)) await rm(d, { recursive: true, force: true });
  });

  async function run(chunk: number, waveform: Float32Array): Promise<RunOutputs> {
    const session = await openSession(models[chunk]!);
    try {
      return await runOne(session, waveform);
    } finally {
      await session.release();
    }
  }

  it.each(CHUNKS)('should give the whole-input results with %i-frame chunks, for every golden input and the shortest input', async (chunk) => {
    const config = parseConfig(await readFile(join(checkpointDir('tiny-a'), 'config.yaml'), 'utf8'));
    const inputs = [
      ...GOLDEN_INPUTS.map((name) => layerNormWaveform(goldenWaveform(name))),
      layerNormWaveform(goldenWaveform('speech_16k_mono').slice(0, 400)),
    ];
    for (const waveform of inputs) {
      const whole = await run(0, waveform);
      const chunked = await run(chunk, waveform);
      expect(chunked.frames!.dims).toEqual([1, frameCount(config, waveform.length), 32]);
      expect(maxDiff(chunked.frames!.data, whole.frames!.data)).toBeLessThan(1e-5);
      expect(maxDiff(chunked.logits!.data, whole.logits!.data)).toBeLessThan(1e-5);
    }
  });
});
