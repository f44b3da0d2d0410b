/**
 * Long audio: an input longer than `maxSegmentS` is analyzed in segments cut at low-energy
 * points; the utterance logits are the duration-weighted mean of the segment logits, and frame
 * results are stitched on the input's time axis. Checked on the 12 s golden input with
 * `maxSegmentS: 4` against analyses of each segment on its own.
 */
import { join } from 'node:path';
import { openCheckpoint } from '@e2v/convert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Analysis } from './engine.js';
import type { SegmentResult } from '@e2v/core';
import { goldenFixture } from './test-support/fixtures.js';
import { checkpointDir, loadF32, maxDiff, testModelDir } from '@e2v/testkit';

let split: Engine;
let whole: Engine;
let utterance: Analysis;
let frame: Analysis;
const samples = loadF32('waveforms/long_12s_16k.16k.npy').data;

beforeAll(async () => {
  split = await Engine.load(testModelDir('tiny-a'), { threads: 1, maxSegmentS: 4 });
  whole = await Engine.load(testModelDir('tiny-a'), { threads: 1 });
  const bytes = goldenFixture('long_12s_16k.wav');
  utterance = await split.analyze(bytes, { embedding: true });
  frame = await split.analyze(bytes, { embedding: true, granularity: 'frame' });
});

afterAll(async () => {
  await split.close();
  await whole.close();
});

function segmentsOf(a: Analysis): SegmentResult[] {
  expect(a.result.segments).toBeDefined();
  return a.result.segments!;
}

/** The analysis of one segment's samples on their own (no splitting). */
function alone(s: SegmentResult, granularity: 'utterance' | 'frame' = 'utterance'): Promise<Analysis> {
  return whole.analyze(samples.subarray(Math.round(s.start_s * 16000), Math.round(s.end_s * 16000)), { embedding: true, granularity });
}

describe('long audio (12 s input, maxSegmentS 4)', () => {
  it('should cut into contiguous segments of 2 to 4 s covering the input', () => {
    const segments = segmentsOf(utterance);
    expect(segments.length).toBeGreaterThanOrEqual(3);
    expect(segments[0]!.start_s).toBe(0);
    expect(segments.at(-1)!.end_s).toBe(samples.length / 16000);
    segments.forEach((s, i) => {
      expect(s.end_s - s.start_s).toBeLessThanOrEqual(4);
      expect(s.end_s - s.start_s).toBeGreaterThanOrEqual(2);
      if (i > 0) expect(s.start_s).toBe(segments[i - 1]!.end_s);
      expect(s.scores[s.emotion]).toBe(s.confidence);
    });
    expect(segmentsOf(frame)).toEqual(segments);
  });

  it('should give each segment the result of analyzing it on its own', async () => {
    for (const s of segmentsOf(utterance)) {
      const { result } = await alone(s);
      expect(maxDiff(Object.values(s.scores), Object.values(result.scores))).toBeLessThanOrEqual(1e-6);
      expect(s.emotion).toBe(result.emotion);
    }
  });

  it('should score the utterance from the duration-weighted mean of the segment logits', async () => {
    const segments = segmentsOf(utterance);
    const total = samples.length / 16000;
    const keys = Object.keys(utterance.result.scores);
    // log(p) = logits - logsumexp: the per-segment constant drops out of the softmax of the weighted mean
    const mean = keys.map((k) => segments.reduce((acc, s) => acc + ((s.end_s - s.start_s) / total) * Math.log(s.scores[k]!), 0));
    const max = Math.max(...mean);
    const e = mean.map((z) => Math.exp(z - max));
    const sum = e.reduce((a, b) => a + b, 0);
    expect(
      maxDiff(
        Object.values(utterance.result.scores),
        e.map((v) => v / sum),
      ),
    ).toBeLessThanOrEqual(1e-9);
    // embedding: the same weights over the segments' own embeddings
    const D = 32;
    const expected = new Float64Array(D);
    for (const s of segments) {
      const { embedding } = await alone(s);
      for (let d = 0; d < D; d++) expected[d]! += ((s.end_s - s.start_s) / total) * embedding!.data[d]!;
    }
    expect(utterance.embedding!.shape).toEqual([D]);
    expect(maxDiff(utterance.embedding!.data, expected)).toBeLessThanOrEqual(1e-6);
  });

  it('should stitch the frames of all segments on one time axis', async () => {
    const series = frame.result.frames!;
    const segments = segmentsOf(frame);
    let row = 0;
    const D = 32;
    for (const s of segments) {
      const own = await alone(s, 'frame');
      const T = own.embedding!.shape[0];
      expect(series.start_s[row]).toBeCloseTo(s.start_s, 9);
      for (let t = 0; t < T; t++) expect(series.start_s[row + t]).toBeCloseTo(s.start_s + t * 0.02, 9);
      expect(maxDiff(frame.embedding!.data.subarray(row * D, (row + T) * D), own.embedding!.data)).toBeLessThanOrEqual(1e-6);
      // away from the cuts, the pooling window lies inside the segment: same scores as alone
      for (let t = 26; t < T - 26; t++) expect(maxDiff(series.scores[row + t]!, own.result.frames!.scores[t]!)).toBeLessThanOrEqual(1e-9);
      row += T;
    }
    expect(series.scores.length).toBe(row);
    expect(frame.embedding!.shape).toEqual([row, D]);
    for (let i = 1; i < row; i++) expect(series.start_s[i]!).toBeGreaterThan(series.start_s[i - 1]!);
  });

  it('should pool across the cuts on the stitched axis', async () => {
    const reader = await openCheckpoint(join(checkpointDir('tiny-a'), 'model.pt'));
    const weight = await reader.read('proj.weight');
    const bias = await reader.read('proj.bias');
    await reader.close();
    const D = 32;
    const C = 9;
    const feats = frame.embedding!.data;
    const T = frame.embedding!.shape[0];
    const logits = new Float64Array(T * C);
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        let z = bias[c]!;
        for (let d = 0; d < D; d++) z += feats[t * D + d]! * weight[c * D + d]!;
        logits[t * C + c] = z;
      }
    }
    for (let i = 0; i < T; i++) {
      const lo = Math.max(0, i - 25);
      const hi = Math.min(T - 1, i + 25);
      const mean = Array.from({ length: C }, (_, c) => {
        let z = 0;
        for (let t = lo; t <= hi; t++) z += logits[t * C + c]!;
        return z / (hi - lo + 1);
      });
      const max = Math.max(...mean);
      const e = mean.map((z) => Math.exp(z - max));
      const sum = e.reduce((a, b) => a + b, 0);
      expect(
        maxDiff(
          frame.result.frames!.scores[i]!,
          e.map((v) => v / sum),
        ),
      ).toBeLessThanOrEqual(1e-5);
    }
  });

  it('should not split an input at or below maxSegmentS', async () => {
    const { result } = await split.analyze(samples.subarray(0, 4 * 16000));
    expect(result.segments).toBeUndefined();
  });
});
