import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConvertProgress, type ConvertReport, convertCheckpoint } from './convert.js';
import { MANIFEST_FILE, type WrittenManifest } from '@e2v/core';
import { checkpointDir, GOLDEN_CHECKPOINTS, GOLDEN_INPUTS, type GoldenCheckpoint, goldenExpected, maxDiff } from '@e2v/testkit';
import { goldenNormalizedWaveform, goldenWaveform } from './test-support/golden.js';
import { argmax, layerNormWaveform, softmax } from './test-support/numeric.js';
import { checkInputSamples, openSession, runBatch, runOne } from './test-support/ort.js';
import { openCheckpoint } from './checkpoint/open.js';

/** Tolerances of the issue / GOLDEN-README (about 25x the fp32-vs-fp64 gap). */
const TOL = { frames: 1e-4, embedding: 5e-5, logits: 5e-5, scores: 1e-5 };

let work: string;
const sessions = new Map<string, InferenceSession>();
const reports = new Map<string, ConvertReport>();
const progress: ConvertProgress[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'e2v-convert-'));
  for (const ckpt of GOLDEN_CHECKPOINTS) {
    const report = await convertCheckpoint({
      from: checkpointDir(ckpt),
      out: join(work, ckpt),
      onProgress: (p) => progress.push(p),
    });
    reports.set(ckpt, report);
    sessions.set(ckpt, await openSession(join(report.out, 'model.onnx')));
  }
  const masked = await convertCheckpoint({ from: checkpointDir('tiny-b-5class'), out: join(work, 'tiny-b-masked'), maskUnusedLabels: true });
  reports.set('tiny-b-masked', masked);
  sessions.set('tiny-b-masked', await openSession(join(masked.out, 'model.onnx')));
}, 120_000);

afterAll(async () => {
  for (const s of sessions.values()) await s.release();
  await rm(work, { recursive: true, force: true });
});

function session(name: string): InferenceSession {
  const s = sessions.get(name);
  if (s === undefined) throw new Error(`no session ${name}`);
  return s;
}

describe('layerNormWaveform (test helper) matches FunASR', () => {
  it.each(GOLDEN_INPUTS)('should reproduce the normalized waveform of %s', (input) => {
    const mine = layerNormWaveform(goldenWaveform(input));
    expect(maxDiff(mine, goldenNormalizedWaveform(input))).toBeLessThan(2e-6);
  });
});

describe.each(GOLDEN_CHECKPOINTS)('parity with FunASR: %s', (ckpt: GoldenCheckpoint) => {
  it.each(GOLDEN_INPUTS)('should reproduce frames, embedding, logits and scores of %s', async (input) => {
    const expected = goldenExpected(ckpt, input);
    const out = await runOne(session(ckpt), layerNormWaveform(goldenWaveform(input)));
    const { frames, embedding, logits } = out;
    expect(frames?.dims).toEqual([1, expected.result.num_frames, expected.result.embed_dim]);
    expect(embedding?.dims).toEqual([1, expected.result.embed_dim]);
    expect(logits?.dims).toEqual([1, expected.result.labels.length]);
    expect(maxDiff(frames!.data, expected.frames.data)).toBeLessThanOrEqual(TOL.frames);
    expect(maxDiff(embedding!.data, expected.embedding)).toBeLessThanOrEqual(TOL.embedding);
    expect(maxDiff(logits!.data, expected.result.logits)).toBeLessThanOrEqual(TOL.logits);
    const scores = softmax(logits!.data);
    expect(maxDiff(scores, expected.result.scores)).toBeLessThanOrEqual(TOL.scores);
    expect(argmax(scores)).toBe(argmax(expected.result.scores));
  });
});

/** `proj` on every frame, in float64: `[T, C]` from frames `[T, D]` and the checkpoint's weight `[C, D]` and bias. */
function headOnFrames(frames: Float32Array, T: number, head: { weight: Float32Array; bias: Float32Array }): Float64Array {
  const C = head.bias.length;
  const D = frames.length / T;
  const out = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < C; c++) {
      let z = head.bias[c]!;
      for (let d = 0; d < D; d++) z += frames[t * D + d]! * head.weight[c * D + d]!;
      out[t * C + c] = z;
    }
  }
  return out;
}

/** Mean over time of `[T, C]` logits. */
function meanOverTime(logits: ArrayLike<number>, T: number, C: number): Float64Array {
  const mean = new Float64Array(C);
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) mean[c]! += logits[t * C + c]! / T;
  return mean;
}

describe.each(GOLDEN_CHECKPOINTS)('frame_logits: %s', (ckpt: GoldenCheckpoint) => {
  let head: { weight: Float32Array; bias: Float32Array };
  beforeAll(async () => {
    const reader = await openCheckpoint(join(checkpointDir(ckpt), 'model.pt'));
    head = { weight: await reader.read('proj.weight'), bias: await reader.read('proj.bias') };
    await reader.close();
  });

  it.each(GOLDEN_INPUTS)('should be proj on each reference frame of %s, and average to the utterance logits', async (input) => {
    const expected = goldenExpected(ckpt, input);
    const T = expected.result.num_frames;
    const C = expected.result.labels.length;
    const { frame_logits: frameLogits, logits } = await runOne(session(ckpt), layerNormWaveform(goldenWaveform(input)));
    expect(frameLogits?.dims).toEqual([1, T, C]);
    expect(maxDiff(frameLogits!.data, headOnFrames(expected.frames.data, T, head))).toBeLessThanOrEqual(TOL.logits);
    // the head is linear: pooling frame logits over the whole input is the utterance's logits
    expect(maxDiff(meanOverTime(frameLogits!.data, T, C), logits!.data)).toBeLessThanOrEqual(1e-5);
  });
});

describe('FunASR unuse* label masking (tiny-b-5class, maskUnusedLabels)', () => {
  it('should record the masked labels in model.json', () => {
    expect(reports.get('tiny-b-masked')?.manifest.maskedLabels).toEqual({
      indices: [1, 2, 5, 7],
      keys: ['unuse_0', 'unuse_1', 'unuse_2', 'unuse_3'],
    });
    expect(reports.get('tiny-b-5class')?.manifest.maskedLabels).toBeUndefined();
  });

  it.each(GOLDEN_INPUTS)('should reproduce masked logits and masked scores of %s', async (input) => {
    const { result } = goldenExpected('tiny-b-5class', input);
    const { logits } = await runOne(session('tiny-b-masked'), layerNormWaveform(goldenWaveform(input)));
    result.masked_logits.forEach((expected, i) => {
      const got = logits!.data[i]!;
      if (expected === null) expect(got).toBe(Number.NEGATIVE_INFINITY);
      else expect(Math.abs(got - expected)).toBeLessThanOrEqual(TOL.logits);
    });
    const scores = softmax(logits!.data);
    expect(maxDiff(scores, result.masked_scores)).toBeLessThanOrEqual(TOL.scores);
    expect(result.labels[argmax(scores)]).toBe(result.argmax_label);
  });

  it('should mask the same labels in every frame of frame_logits', async () => {
    const { frame_logits: frameLogits } = await runOne(session('tiny-b-masked'), layerNormWaveform(goldenWaveform('speech_16k_mono')));
    const C = frameLogits!.dims[2]!;
    frameLogits!.data.forEach((z, i) => expect(z === Number.NEGATIVE_INFINITY, `frame ${Math.floor(i / C)} label ${i % C}`).toBe([1, 2, 5, 7].includes(i % C)));
  });
});

describe('batching', () => {
  it('should give each item of a batch the same outputs as an unbatched run', async () => {
    const a = layerNormWaveform(goldenWaveform('speech_16k_mono'));
    const b = layerNormWaveform(goldenWaveform('speech_8k_mono'));
    expect(a.length).toBe(b.length);
    for (const ckpt of GOLDEN_CHECKPOINTS) {
      const batch = await runBatch(session(ckpt), [a, b]);
      const single = [await runOne(session(ckpt), a), await runOne(session(ckpt), b)];
      for (const name of ['frames', 'embedding', 'logits', 'frame_logits'] as const) {
        const all = batch[name]!.data;
        const per = all.length / 2;
        expect(batch[name]!.dims[0]).toBe(2);
        for (let i = 0; i < 2; i++) {
          expect(maxDiff(all.subarray(i * per, (i + 1) * per), single[i]![name]!.data)).toBeLessThanOrEqual(1e-5);
        }
      }
    }
  });
});

describe('inputs shorter than the receptive field', () => {
  it('should record 400 samples as the minimum and produce exactly one frame from 400', async () => {
    const manifest = reports.get('tiny-a')!.manifest;
    expect(manifest.minInputSamples).toBe(400);
    const x = layerNormWaveform(goldenWaveform('speech_16k_mono').subarray(8000, 8400));
    checkInputSamples(manifest, x.length);
    const out = await runOne(session('tiny-a'), x);
    expect(out.frames?.dims).toEqual([1, 1, 32]);
    expect(out.embedding!.data.every(Number.isFinite)).toBe(true);
  });

  it('should refuse 399 samples with a RangeError naming the minimum', () => {
    const manifest = reports.get('tiny-a')!.manifest;
    expect(() => checkInputSamples(manifest, 399)).toThrow(RangeError);
    expect(() => checkInputSamples(manifest, 399)).toThrow(/at least 400 samples \(25 ms at 16000 Hz\).*received 399/);
    expect(() => checkInputSamples(manifest, 0)).toThrow(RangeError);
  });

  it('should show why the check is needed: ORT fails inside the conv stack (an im2col reshape) with an unclear message', async () => {
    const x = layerNormWaveform(goldenWaveform('speech_16k_mono').subarray(8000, 8399));
    await expect(runOne(session('tiny-a'), x)).rejects.toThrow(/Reshape.*cannot be reshaped to the requested shape/);
  });
});

describe('model folder', () => {
  it('should write model.json per design.md', async () => {
    const report = reports.get('tiny-a')!;
    const manifest = JSON.parse(await readFile(join(report.out, MANIFEST_FILE), 'utf8')) as WrittenManifest;
    expect(manifest).toEqual(report.manifest);
    expect(manifest).toMatchObject({
      format: 'e2v-model',
      name: 'tiny-a',
      sampleRate: 16000,
      frameRate: 50,
      embeddingDim: 32,
      normalize: true,
      normalizeEps: 1e-5,
      minInputSamples: 400,
      variant: 'fp32',
      graph: { opsets: { '': 17, 'com.microsoft': 1 }, input: 'waveform', outputs: ['frames', 'embedding', 'logits', 'frame_logits'] },
      source: { files: ['model.pt', 'config.yaml', 'tokens.txt'] },
    });
    expect(manifest.labels.map((l) => l.key)).toEqual(['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'other', 'sad', 'surprised', 'unknown']);
    expect(manifest.labels[0]).toEqual({ key: 'angry', zh: '愤怒', token: '生气/angry' });
    expect(manifest.labels[8]).toEqual({ key: 'unknown', zh: '未知', token: '<unk>' });
    const goldenManifest = JSON.parse(await readFile(join(checkpointDir('tiny-a'), '..', '..', 'MANIFEST.json'), 'utf8')) as unknown;
    expect(JSON.stringify(goldenManifest)).toContain(manifest.source.sha256['model.pt']);
    expect(manifest.variants.int8).toBeUndefined();
    expect(manifest.random).toBeUndefined();
    expect((await readdir(report.out)).sort()).toEqual(['model.json', 'model.onnx', 'model.onnx.data']);
    expect(report.files.map((f) => f.name).sort()).toEqual(['model.json', 'model.onnx', 'model.onnx.data']);
  });

  it("should name this package's package.json name and version as the converter", async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect(reports.get('tiny-a')!.manifest.converter).toMatchObject({ name: pkg.name, version: pkg.version });
  });

  it('should report progress through read, hash, fp32 and finish', () => {
    const stages = [...new Set(progress.map((p) => p.stage))];
    expect(stages).toEqual(['read', 'hash', 'fp32', 'finish']);
    const fp32 = progress.filter((p) => p.stage === 'fp32');
    expect(fp32.at(-1)?.done).toBe(fp32.at(-1)?.total);
  });

  it('should refuse a non-empty output folder unless overwrite is set, and replace it atomically', async () => {
    const out = join(work, 'existing');
    await mkdir(out);
    await writeFile(join(out, 'keep.txt'), 'x');
    await expect(convertCheckpoint({ from: checkpointDir('tiny-a'), out })).rejects.toMatchObject({
      name: 'ConvertError',
      code: 'E2V_ERR_CONVERT_OUT_EXISTS',
    });
    expect(await readdir(out)).toEqual(['keep.txt']);
    await convertCheckpoint({ from: checkpointDir('tiny-a'), out, overwrite: true });
    expect((await readdir(out)).sort()).toEqual(['model.json', 'model.onnx', 'model.onnx.data']);
  });

  it('should name a missing source file and leave nothing behind', async () => {
    const from = join(work, 'incomplete');
    await mkdir(from);
    await cp(join(checkpointDir('tiny-a'), 'config.yaml'), join(from, 'config.yaml'));
    const before = await readdir(work);
    await expect(convertCheckpoint({ from, out: join(work, 'never') })).rejects.toMatchObject({
      code: 'E2V_ERR_CONVERT_SOURCE_MISSING',
      message: expect.stringMatching(/model\.pt, tokens\.txt/),
    });
    expect(await readdir(work)).toEqual(before);
  });

  it('should leave no folder when the checkpoint does not match its config', async () => {
    const from = join(work, 'mismatch');
    await cp(checkpointDir('tiny-a'), from, { recursive: true });
    await cp(join(checkpointDir('tiny-b-5class'), 'config.yaml'), join(from, 'config.yaml'), { force: true });
    const before = await readdir(work);
    await expect(convertCheckpoint({ from, out: join(work, 'never2') })).rejects.toMatchObject({
      code: 'E2V_ERR_CONFIG_TENSOR_MISMATCH',
    });
    expect(await readdir(work)).toEqual(before);
  });

  it('should mark a synthesized (random) source in model.json', async () => {
    const from = join(work, 'synth-like');
    await cp(checkpointDir('tiny-a'), from, { recursive: true });
    await writeFile(join(from, 'e2v-synth.json'), JSON.stringify({ random: true, seed: 7 }));
    const report = await convertCheckpoint({ from, out: join(work, 'synth-like-out'), name: 'random-tiny' });
    expect(report.manifest.random).toBe(true);
    expect(report.manifest.name).toBe('random-tiny');
  });
});
