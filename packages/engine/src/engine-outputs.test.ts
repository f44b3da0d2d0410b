/**
 * The outputs folder written by `analyze`, checked byte by byte: WAV header and samples, .npy
 * header, shape and data, result.json equal to the returned Result; unique names under concurrency;
 * a folder that cannot be written fails the analysis, or (`outputFailure: 'report'`) is reported
 * next to the kept result. `analyzeStaged`: nothing final before `commit`, result.json written once
 * with the Result `commit` is given, nothing left after `discard`.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { InferenceError } from './errors.js';
import { goldenFixture } from './test-support/fixtures.js';
import { loadF32, testModelDir } from '@e2v/testkit';

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.load(testModelDir('tiny-a'), { threads: 1 });
});

afterAll(async () => {
  await engine.close();
});

/** The body of the first `data` chunk of a RIFF/WAVE file. */
function wavData(bytes: Uint8Array): Uint8Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(at, at + 4));
    const size = v.getUint32(at + 4, true);
    if (id === 'data') return bytes.subarray(at + 8, at + 8 + size);
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Parses a .npy v1.0 header: [header text, data offset]. */
function npyHeader(bytes: Uint8Array): { header: string; offset: number } {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const len = bytes[8]! | (bytes[9]! << 8);
  const offset = 10 + len;
  expect(offset % 64).toBe(0);
  return { header: Buffer.from(bytes.subarray(10, offset)).toString('latin1'), offset };
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'e2v-engine-outputs-'));
}

describe('outputs folder', () => {
  it('should write processed_audio.wav, result.json and embedding.npy, byte for byte', async () => {
    const dir = await tempDir();
    const input = goldenFixture('speech_16k_mono.wav');
    const { result, embedding, outputDir } = await engine.analyze(input, { embedding: true, outputDir: dir });
    expect(outputDir).toMatch(/\/outputs_\d{8}_\d{6}(_\d+)?$/);
    expect(await readdir(dir)).toEqual([outputDir!.slice(dir.length + 1)]);
    expect((await readdir(outputDir!)).sort()).toEqual(['embedding.npy', 'processed_audio.wav', 'result.json']);

    // WAV: canonical header, 16 kHz mono PCM16; a 16 kHz int16 input comes back unchanged
    const wav = new Uint8Array(await readFile(join(outputDir!, 'processed_audio.wav')));
    const v = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
    const pcm = wavData(input);
    expect(String.fromCharCode(...wav.subarray(0, 4))).toBe('RIFF');
    expect(v.getUint32(4, true)).toBe(wav.length - 8);
    expect(String.fromCharCode(...wav.subarray(8, 16))).toBe('WAVEfmt ');
    expect(v.getUint32(16, true)).toBe(16);
    expect({
      format: v.getUint16(20, true),
      channels: v.getUint16(22, true),
      rate: v.getUint32(24, true),
      byteRate: v.getUint32(28, true),
      align: v.getUint16(32, true),
      bits: v.getUint16(34, true),
    }).toEqual({
      format: 1,
      channels: 1,
      rate: 16000,
      byteRate: 32000,
      align: 2,
      bits: 16,
    });
    expect(String.fromCharCode(...wav.subarray(36, 40))).toBe('data');
    expect(v.getUint32(40, true)).toBe(pcm.length);
    expect(Buffer.from(wav.subarray(44)).equals(Buffer.from(pcm))).toBe(true);

    // embedding.npy: v1.0, little-endian float32, shape (D,), the returned data
    const npy = new Uint8Array(await readFile(join(outputDir!, 'embedding.npy')));
    const { header, offset } = npyHeader(npy);
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(32,\), \} *\n$/);
    expect(npy.length - offset).toBe(32 * 4);
    expect(new Float32Array(npy.slice(offset).buffer)).toEqual(embedding!.data);

    // result.json parses to the returned Result
    expect(JSON.parse(await readFile(join(outputDir!, 'result.json'), 'utf8'))).toEqual(result);
  });

  it("should write the resampled 16 kHz audio for a 44.1 kHz stereo input, and (T', D) frame embeddings", async () => {
    const dir = await tempDir();
    const { result, embedding, outputDir } = await engine.analyze(goldenFixture('speech_44k1_stereo.wav'), {
      granularity: 'frame',
      embedding: true,
      outputDir: dir,
    });
    const wav = new Uint8Array(await readFile(join(outputDir!, 'processed_audio.wav')));
    const samples = new Int16Array(wav.slice(44).buffer);
    const reference = loadF32('waveforms/speech_44k1_stereo.16k.npy').data;
    expect(samples.length).toBe(reference.length);
    let worst = 0;
    for (let i = 0; i < samples.length; i++) worst = Math.max(worst, Math.abs(samples[i]! - reference[i]! * 32768));
    expect(worst).toBeLessThanOrEqual(0.55); // rounding (0.5 LSB) plus the resampler's difference (~1e-6 of full scale)
    const npy = new Uint8Array(await readFile(join(outputDir!, 'embedding.npy')));
    const { header, offset } = npyHeader(npy);
    expect(header).toContain(`'shape': (${embedding!.shape[0]}, 32)`);
    expect(embedding!.shape[0]).toBe(result.frames!.scores.length);
    expect(new Float32Array(npy.slice(offset).buffer)).toEqual(embedding!.data);
    expect(JSON.parse(await readFile(join(outputDir!, 'result.json'), 'utf8'))).toEqual(result);
  });

  it('should write no embedding.npy when no embedding was asked for', async () => {
    const dir = await tempDir();
    const { outputDir, embedding } = await engine.analyze(goldenFixture('speech_8k_mono.wav'), { outputDir: dir });
    expect(embedding).toBeNull();
    expect((await readdir(outputDir!)).sort()).toEqual(['processed_audio.wav', 'result.json']);
  });

  it('should give concurrent analyses distinct, complete folders', async () => {
    const dir = await tempDir();
    const input = goldenFixture('short_0s3_16k.wav');
    const runs = await Promise.all(Array.from({ length: 8 }, () => engine.analyze(input, { embedding: true, outputDir: dir })));
    const names = runs.map((r) => r.outputDir!.slice(dir.length + 1));
    expect(new Set(names).size).toBe(8);
    expect((await readdir(dir)).sort()).toEqual([...names].sort()); // no temporary folder left
    for (const r of runs) {
      expect((await readdir(r.outputDir!)).sort()).toEqual(['embedding.npy', 'processed_audio.wav', 'result.json']);
      expect(JSON.parse(await readFile(join(r.outputDir!, 'result.json'), 'utf8'))).toEqual(r.result);
    }
  });

  it('should fail with E2V_ERR_OUTPUT_WRITE when the folder cannot be written, by default', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    const error = await engine.analyze(goldenFixture('speech_8k_mono.wav'), { outputDir: join(dir, 'file', 'sub') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceError);
    expect((error as InferenceError).code).toBe('E2V_ERR_OUTPUT_WRITE');
  });

  it("should keep the result and report the write error with outputFailure: 'report'", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    const input = goldenFixture('speech_8k_mono.wav');
    const reference = await engine.analyze(input, { embedding: true });
    const analysis = await engine.analyze(input, { embedding: true, outputDir: join(dir, 'file', 'sub'), outputFailure: 'report' });
    expect(analysis.outputDir).toBeNull();
    expect(analysis.outputError).toBeInstanceOf(InferenceError);
    expect(analysis.outputError!.code).toBe('E2V_ERR_OUTPUT_WRITE');
    expect((analysis.outputError!.cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
    expect(analysis.result.scores).toEqual(reference.result.scores);
    expect(analysis.embedding!.data).toEqual(reference.embedding!.data);
    expect(await readdir(dir)).toEqual(['file']);
    const saved = await engine.analyze(input, { outputDir: dir, outputFailure: 'report' });
    expect(saved.outputError).toBeUndefined();
    expect(saved.outputDir).not.toBeNull();
  });

  it('should name the folder after the instant of the Result timestamp: local time with its UTC offset', async () => {
    const dir = await tempDir();
    const { result, outputDir } = await engine.analyze(goldenFixture('speech_8k_mono.wav'), { outputDir: dir });
    expect(result.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/);
    const [day, time] = result.timestamp.slice(0, 19).split('T') as [string, string];
    expect(outputDir!.slice(dir.length + 1)).toBe(`outputs_${day.replaceAll('-', '')}_${time.replaceAll(':', '')}`);
    expect(Math.abs(Date.parse(result.timestamp) - Date.now())).toBeLessThan(60_000);
  });

  it('should analyze what a truncated file holds and say so in the Result and result.json', async () => {
    const dir = await tempDir();
    const whole = goldenFixture('speech_16k_mono.wav');
    const cut = whole.subarray(0, 44 + Math.floor((whole.length - 44) / 2));
    const { result, outputDir } = await engine.analyze(cut, { outputDir: dir });
    expect(result.audio.warnings).toEqual([
      {
        code: 'E2V_WARN_AUDIO_TRUNCATED',
        message: expect.stringMatching(/^The wav file is truncated: its data chunk declares \d+ bytes but the file holds \d+ \(\d+\.\d\d s of audio missing\)/),
      },
    ]);
    expect(result.audio.duration_s).toBeCloseTo((whole.length - 44) / 2 / 2 / 16000, 3);
    expect(JSON.parse(await readFile(join(outputDir!, 'result.json'), 'utf8'))).toEqual(result);
    const clean = await engine.analyze(whole);
    expect(clean.result.audio.warnings).toEqual([]);
  });

  it('should refuse an unknown outputFailure', async () => {
    await expect(engine.analyze(goldenFixture('speech_8k_mono.wav'), { outputFailure: 'ignore' as never })).rejects.toThrow(TypeError);
  });
});

describe('staged outputs (analyzeStaged)', () => {
  it('should keep the folder hidden until commit, then write result.json once with the Result it is given', async () => {
    const dir = await tempDir();
    const embeddingFile = join(dir, 'utterance.npy');
    const staged = await engine.analyzeStaged(goldenFixture('speech_16k_mono.wav'), { embedding: true, outputDir: dir, embeddingFile });
    expect(await readdir(dir)).toEqual([expect.stringMatching(/^\.outputs-tmp-\d+-[0-9a-f]+$/)]); // audio staged, nothing final
    const final = { ...staged.result, plugins: { tagger: { tag: 'calm' } } };
    const analysis = await staged.commit(final);
    expect(analysis.result).toBe(final);
    expect(analysis.embedding).toBe(staged.embedding);
    expect(analysis.embeddingFile).toBe(embeddingFile);
    expect((await readdir(dir)).sort()).toEqual([analysis.outputDir!.slice(dir.length + 1), 'utterance.npy'].sort());
    expect(JSON.parse(await readFile(join(analysis.outputDir!, 'result.json'), 'utf8'))).toEqual(final);
    await expect(staged.commit(final)).rejects.toThrow(TypeError);
    await staged.discard(); // after commit: nothing to do, the folder stays
    expect((await readdir(analysis.outputDir!)).sort()).toEqual(['embedding.npy', 'processed_audio.wav', 'result.json']);
  });

  it('should leave nothing behind when discarded', async () => {
    const dir = await tempDir();
    const staged = await engine.analyzeStaged(goldenFixture('speech_8k_mono.wav'), { embedding: true, outputDir: dir, embeddingFile: join(dir, 'e.npy') });
    await staged.discard();
    expect(await readdir(dir)).toEqual([]);
    await expect(staged.commit(staged.result)).rejects.toThrow(TypeError);
  });
});
