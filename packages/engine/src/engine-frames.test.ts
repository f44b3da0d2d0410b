/**
 * Frame granularity: each frame's scores are the softmax of the head applied to the mean of the
 * frame features over a centred window (default 1.0 s), computed by pooling the graph's
 * `frame_logits`. Checked against a direct computation from the reference's frames.npy and the
 * head weights read from the original model.pt.
 */
import { join } from 'node:path';
import { openCheckpoint } from '@e2v/convert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { goldenFixture } from './test-support/fixtures.js';
import { checkpointDir, type GoldenCheckpoint, goldenExpected, type GoldenInput, maxDiff, testModelDir } from '@e2v/testkit';

const TOL = 1e-4;
let tinyA: Engine;
let masked: Engine;
const heads = new Map<GoldenCheckpoint, { weight: Float32Array; bias: Float32Array }>();

beforeAll(async () => {
  tinyA = await Engine.load(testModelDir('tiny-a'), { threads: 1 });
  masked = await Engine.load(testModelDir('tiny-b-5class-masked'), { threads: 1 });
  for (const ckpt of ['tiny-a', 'tiny-b-5class'] as const) {
    const reader = await openCheckpoint(join(checkpointDir(ckpt), 'model.pt'));
    heads.set(ckpt, { weight: await reader.read('proj.weight'), bias: await reader.read('proj.bias') });
    await reader.close();
  }
});

afterAll(async () => {
  await tinyA.close();
  await masked.close();
});

/**
 * The reference computation, straight from the definition: for frame i, the mean of frames
 * max(0, i-h) .. min(T-1, i+h) of frames.npy, through `proj` (weight [C, D] from model.pt),
 * softmax over the labels not masked.
 */
function direct(ckpt: GoldenCheckpoint, input: GoldenInput, h: number, maskedLabels: number[] = []): number[][] {
  const { frames } = goldenExpected(ckpt, input);
  const [T, D] = frames.shape as [number, number];
  const { weight, bias } = heads.get(ckpt)!;
  const C = bias.length;
  const rows: number[][] = [];
  for (let i = 0; i < T; i++) {
    const lo = Math.max(0, i - h);
    const hi = Math.min(T - 1, i + h);
    const mean = new Float64Array(D);
    for (let t = lo; t <= hi; t++) for (let d = 0; d < D; d++) mean[d]! += frames.data[t * D + d]!;
    for (let d = 0; d < D; d++) mean[d]! /= hi - lo + 1;
    const logits = Array.from({ length: C }, (_, c) => {
      if (maskedLabels.includes(c)) return Number.NEGATIVE_INFINITY;
      let z = bias[c]!;
      for (let d = 0; d < D; d++) z += mean[d]! * weight[c * D + d]!;
      return z;
    });
    const max = Math.max(...logits);
    const e = logits.map((z) => Math.exp(z - max));
    const sum = e.reduce((a, b) => a + b, 0);
    rows.push(e.map((v) => v / sum));
  }
  return rows;
}

function worstRow(a: number[][], b: number[][]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return Math.max(...a.map((row, i) => maxDiff(row, b[i]!)));
}

describe('frame granularity', () => {
  it.each(['speech_16k_mono', 'speech_8k_mono', 'long_12s_16k'] as const)(
    'should score each frame of %s from the 1.0 s centred window of the reference frames',
    async (input) => {
      const expected = goldenExpected('tiny-a', input);
      const { result, embedding } = await tinyA.analyze(goldenFixture(`${input}.wav`), { granularity: 'frame', embedding: true });
      const T = expected.result.num_frames;
      expect(result.granularity).toBe('frame');
      expect(result.frames!.rate).toBe(50);
      expect(result.frames!.window_s).toBe(1);
      expect(result.frames!.start_s).toEqual(Array.from({ length: T }, (_, i) => Math.round(i * 0.02 * 1e6) / 1e6));
      expect(worstRow(result.frames!.scores, direct('tiny-a', input, 25))).toBeLessThanOrEqual(TOL);
      // the embedding of frame granularity is the (T', D) frame features
      expect(embedding!.shape).toEqual([T, expected.result.embed_dim]);
      expect(maxDiff(embedding!.data, expected.frames.data)).toBeLessThanOrEqual(TOL);
      // top-level fields still describe the whole utterance
      expect(maxDiff(Object.values(result.scores), expected.result.scores)).toBeLessThanOrEqual(TOL);
    },
  );

  it('should follow windowS: 0 scores single frames, 0.5 s a 25-frame window; the Result records it', async () => {
    const bytes = goldenFixture('speech_16k_mono.wav');
    const single = await tinyA.analyze(bytes, { granularity: 'frame', windowS: 0 });
    expect(worstRow(single.result.frames!.scores, direct('tiny-a', 'speech_16k_mono', 0))).toBeLessThanOrEqual(TOL);
    expect(single.result.frames!.window_s).toBe(0);
    const half = await tinyA.analyze(bytes, { granularity: 'frame', windowS: 0.5 });
    expect(half.result.frames!.window_s).toBe(0.5);
    expect(worstRow(half.result.frames!.scores, direct('tiny-a', 'speech_16k_mono', 13))).toBeLessThanOrEqual(TOL);
    expect(worstRow(half.result.frames!.scores, direct('tiny-a', 'speech_16k_mono', 25))).toBeGreaterThan(TOL);
  });

  it('should give every frame the utterance scores when the window covers the whole input', async () => {
    const { result } = await tinyA.analyze(goldenFixture('speech_16k_mono.wav'), { granularity: 'frame', windowS: 100 });
    const utterance = Object.values(result.scores);
    // the graph's utterance logits come from the same head on the mean of all frames
    for (const row of result.frames!.scores) expect(maxDiff(row, utterance)).toBeLessThanOrEqual(1e-5);
  });

  it('should do the same with the int8 graph, whose frame and utterance logits share one head', async () => {
    const int8 = await Engine.load(testModelDir('tiny-a-int8'), { variant: 'int8', threads: 1 });
    try {
      const { result } = await int8.analyze(goldenFixture('speech_16k_mono.wav'), { granularity: 'frame', windowS: 100 });
      const utterance = Object.values(result.scores);
      for (const row of result.frames!.scores) expect(maxDiff(row, utterance)).toBeLessThanOrEqual(1e-5);
    } finally {
      await int8.close();
    }
  });

  it('should keep masked labels at 0 in every frame', async () => {
    const { result } = await masked.analyze(goldenFixture('speech_44k1_stereo.wav'), { granularity: 'frame' });
    expect(worstRow(result.frames!.scores, direct('tiny-b-5class', 'speech_44k1_stereo', 25, [1, 2, 5, 7]))).toBeLessThanOrEqual(TOL);
    for (const row of result.frames!.scores) for (const i of [1, 2, 5, 7]) expect(row[i]).toBe(0);
  });
});
