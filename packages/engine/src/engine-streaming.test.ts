/**
 * Streaming analysis of long inputs: a file is decoded, segmented and analyzed a chunk at a
 * time, with the same result as the whole signal at once; a frame embedding larger than
 * `maxInlineEmbeddingMB` goes only to files (`embeddingFile`, `outputDir`), and without a file
 * the analysis fails with a typed error; files are complete or absent.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '@e2v/npy';
import { testModelDir } from '@e2v/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { loadAudio16k } from './load-audio.js';
import { syntheticWav } from './test-support/long-audio.js';
import { buildWav, fmtBody } from './test-support/wav-builder.js';

let engine: Engine;
/** 60 s of 44.1 kHz stereo: many decode chunks and, at maxSegmentS 4, 15 or more segments. */
const long = syntheticWav(60, 44100, 2);

beforeAll(async () => {
  engine = await Engine.load(testModelDir('tiny-a'), { threads: 1, maxSegmentS: 4 });
});
afterAll(async () => {
  await engine.close();
});

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'e2v-stream-'));
}

describe('streaming analysis', () => {
  it('should give the same result from the streamed file as from its whole 16 kHz signal', async () => {
    const { samples } = await loadAudio16k(long);
    const streamed = await engine.analyze(long, { granularity: 'frame', embedding: true });
    const whole = await engine.analyze(samples, { granularity: 'frame', embedding: true });
    expect(streamed.result.segments!.length).toBeGreaterThanOrEqual(15);
    expect(streamed.result.segments).toEqual(whole.result.segments);
    expect(streamed.result.scores).toEqual(whole.result.scores);
    expect(streamed.result.frames).toEqual(whole.result.frames);
    expect(streamed.embedding!.data).toEqual(whole.embedding!.data);
    expect(streamed.result.audio).toEqual({ duration_s: 60, sample_rate: 44100, channels: 2, format: 'wav', warnings: [] });
  });

  it('should hand onAudio every segment of 16 kHz samples, in order', async () => {
    const { samples } = await loadAudio16k(long);
    const pieces: Float32Array[] = [];
    const analysis = await engine.analyze(long, { onAudio: (piece) => void pieces.push(piece.slice()) });
    expect(pieces.length).toBe(analysis.result.segments!.length);
    const joined = new Float32Array(samples.length);
    let at = 0;
    for (const piece of pieces) {
      joined.set(piece, at);
      at += piece.length;
    }
    expect(at).toBe(samples.length);
    expect(joined).toEqual(samples);
    await expect(engine.analyze(long, { onAudio: () => Promise.reject(new RangeError('no')) })).rejects.toThrow('no');
  });

  it('should stream a frame embedding into embeddingFile, equal to the one in memory', async () => {
    const dir = await tempDir();
    const file = join(dir, 'frames.npy');
    const analysis = await engine.analyze(long, { granularity: 'frame', embedding: true, embeddingFile: file });
    expect(analysis.embeddingFile).toBe(file);
    const npy = readNpy(await readFile(file));
    expect(npy.shape).toEqual(analysis.embedding!.shape);
    expect(npy.data).toEqual(analysis.embedding!.data);
    expect(await readdir(dir)).toEqual(['frames.npy']);
  });

  it('should write an utterance embedding to embeddingFile', async () => {
    const file = join(await tempDir(), 'utt.npy');
    const analysis = await engine.analyze(long, { embedding: true, embeddingFile: file });
    const npy = readNpy(await readFile(file));
    expect(npy.shape).toEqual([analysis.embedding!.data.length]);
    expect(npy.data).toEqual(analysis.embedding!.data);
  });

  it('should keep a frame embedding over maxInlineEmbeddingMB in the files only', async () => {
    const dir = await tempDir();
    const reference = await engine.analyze(long, { granularity: 'frame', embedding: true });
    const limited = await engine.analyze(long, {
      granularity: 'frame',
      embedding: true,
      maxInlineEmbeddingMB: 0.05,
      embeddingFile: join(dir, 'e.npy'),
      outputDir: dir,
    });
    expect(limited.embedding).toBeNull();
    expect(limited.result).toMatchObject({ scores: reference.result.scores, frames: reference.result.frames });
    for (const path of [join(dir, 'e.npy'), join(limited.outputDir!, 'embedding.npy')]) {
      const npy = readNpy(await readFile(path));
      expect(npy.shape).toEqual(reference.embedding!.shape);
      expect(npy.data).toEqual(reference.embedding!.data);
    }
  });

  it('should fail with E2V_ERR_INPUT_EMBEDDING_TOO_LARGE when such an embedding has no file to go to', async () => {
    await expect(engine.analyze(long, { granularity: 'frame', embedding: true, maxInlineEmbeddingMB: 0.05 })).rejects.toMatchObject({
      name: 'InputError',
      code: 'E2V_ERR_INPUT_EMBEDDING_TOO_LARGE',
      message: expect.stringMatching(/0\.05 MB/),
    });
    // utterance embeddings and frame scores are small: no limit applies
    await expect(engine.analyze(long, { granularity: 'frame', maxInlineEmbeddingMB: 0 })).resolves.toMatchObject({ embedding: null });
  });

  it('should leave no file behind when the analysis fails midway', async () => {
    const dir = await tempDir();
    // 60 s of float32 WAV with a NaN 40 s in: the decoder rejects it after several segments ran
    const samples = Float32Array.from({ length: 60 * 16000 }, (_, i) => 0.3 * Math.sin(i / 5));
    samples[40 * 16000] = Number.NaN;
    const nan = buildWav([
      { id: 'fmt ', body: fmtBody(3, 1, 16000, 32) },
      { id: 'data', body: new Uint8Array(samples.buffer) },
    ]);
    await expect(engine.analyze(nan, { granularity: 'frame', embedding: true, outputDir: dir, embeddingFile: join(dir, 'e.npy') })).rejects.toMatchObject({
      code: 'E2V_ERR_AUDIO_CORRUPT',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('should fail with E2V_ERR_OUTPUT_WRITE, leaving nothing, when the embedding file cannot be written', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    await expect(engine.analyze(long, { embedding: true, embeddingFile: join(dir, 'file', 'e.npy') })).rejects.toMatchObject({ code: 'E2V_ERR_OUTPUT_WRITE' });
    expect(await readdir(dir)).toEqual(['file']);
  });

  it('should stop a streamed analysis when aborted, leaving nothing', async () => {
    const dir = await tempDir();
    const controller = new AbortController();
    const running = engine.analyze(long, { granularity: 'frame', embedding: true, outputDir: dir, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(running).rejects.toMatchObject({ code: 'E2V_ERR_ENGINE_ABORTED' });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the segment in flight finishes
    expect(await readdir(dir)).toEqual([]);
    await expect(engine.analyze(long)).resolves.toMatchObject({ result: { audio: { duration_s: 60 } } });
  });
});
