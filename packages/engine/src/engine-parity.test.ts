/**
 * End-to-end parity with the FunASR reference: the original golden WAV bytes (16 kHz, 44.1 kHz
 * stereo, 8 kHz, ...) through decode, downmix, resampling, layer norm and the converted golden
 * checkpoints must give the reference's scores and embedding within 1e-4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { goldenFixture } from './test-support/fixtures.js';
import { GOLDEN_INPUTS, goldenExpected, type GoldenInput, loadF32, maxDiff, testModelDir } from '@e2v/testkit';

const TOL = 1e-4;
const engines = new Map<string, Engine>();

beforeAll(async () => {
  for (const name of ['tiny-a', 'tiny-b-5class', 'tiny-b-5class-masked'] as const) {
    engines.set(name, await Engine.load(testModelDir(name), { threads: 1 }));
  }
});

afterAll(async () => {
  for (const e of engines.values()) await e.close();
});

function engine(name: string): Engine {
  const e = engines.get(name);
  if (e === undefined) throw new Error(`no engine ${name}`);
  return e;
}

/** The label key of a tokens.txt entry: `生气/angry` -> `angry`, `<unk>` -> `unknown`. */
function keyOf(token: string): string {
  return token === '<unk>' ? 'unknown' : token.split('/').pop()!;
}

function wav(input: GoldenInput): Uint8Array {
  return goldenFixture(`${input}.wav`);
}

describe.each(['tiny-a', 'tiny-b-5class'] as const)('parity with FunASR from the WAV bytes: %s', (ckpt) => {
  it.each(GOLDEN_INPUTS)('should reproduce the scores and embedding of %s', async (input) => {
    const expected = goldenExpected(ckpt, input);
    const { result, embedding } = await engine(ckpt).analyze(wav(input), { embedding: true });
    expect(Object.keys(result.scores)).toEqual(expected.result.labels.map(keyOf));
    expect(maxDiff(Object.values(result.scores), expected.result.scores)).toBeLessThanOrEqual(TOL);
    expect(embedding?.shape).toEqual([expected.result.embed_dim]);
    expect(maxDiff(embedding!.data, expected.embedding)).toBeLessThanOrEqual(TOL);
    const top = expected.result.scores.indexOf(Math.max(...expected.result.scores));
    expect(result.emotion).toBe(Object.keys(result.scores)[top]);
    expect(result.confidence).toBe(result.scores[result.emotion]);
    expect(result.audio).toEqual({
      duration_s: expected.result.input_frames / expected.result.input_sample_rate,
      sample_rate: expected.result.input_sample_rate,
      channels: expected.result.input_channels,
      format: 'wav',
      warnings: [],
    });
    expect(result.granularity).toBe('utterance');
    expect(result.frames).toBeNull();
    expect(result.segments).toBeUndefined();
    expect(result.model).toEqual({ name: ckpt, variant: 'fp32' });
  });
});

describe('FunASR unuse* masking (tiny-b-5class converted with maskUnusedLabels)', () => {
  it.each(GOLDEN_INPUTS)('should reproduce the masked scores of %s', async (input) => {
    const expected = goldenExpected('tiny-b-5class', input);
    const { result } = await engine('tiny-b-5class-masked').analyze(wav(input));
    expect(maxDiff(Object.values(result.scores), expected.result.masked_scores)).toBeLessThanOrEqual(TOL);
    for (const key of ['unuse_0', 'unuse_1', 'unuse_2', 'unuse_3']) expect(result.scores[key]).toBe(0);
    expect(result.emotion).toBe(keyOf(expected.result.argmax_label));
  });
});

describe('Result fields', () => {
  it('should fill the display fields and timings', async () => {
    const { result } = await engine('tiny-a').analyze(wav('speech_44k1_stereo'));
    expect(result.emoji).toMatch(/\p{Extended_Pictographic}/u);
    expect(result.emotion_zh).not.toBe('');
    expect(Date.parse(result.timestamp)).not.toBeNaN();
    expect(result.timings_ms.decode).toBeGreaterThan(0);
    expect(result.timings_ms.resample).toBeGreaterThan(0);
    expect(result.timings_ms.inference).toBeGreaterThan(0);
    expect(result.timings_ms.total).toBeGreaterThanOrEqual(result.timings_ms.decode + result.timings_ms.resample + result.timings_ms.inference);
    expect(Object.values(result.scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('should give the same result for a Float32Array of the 16 kHz samples and for the file path', async () => {
    const fromBytes = await engine('tiny-a').analyze(wav('speech_16k_mono'), { embedding: true });
    const path = new URL('../../../test/fixtures/emotion2vec/inputs/speech_16k_mono.wav', import.meta.url).pathname;
    const fromPath = await engine('tiny-a').analyze(path, { embedding: true });
    expect(fromPath.result.scores).toEqual(fromBytes.result.scores);
    expect(fromPath.embedding!.data).toEqual(fromBytes.embedding!.data);
    const { data } = loadF32('waveforms/speech_16k_mono.16k.npy');
    const copy = data.slice();
    const fromSamples = await engine('tiny-a').analyze(data, { embedding: true });
    expect(data).toEqual(copy); // not modified
    expect(maxDiff(Object.values(fromSamples.result.scores), Object.values(fromBytes.result.scores))).toBeLessThanOrEqual(1e-7);
    expect(fromSamples.result.audio).toEqual({ duration_s: data.length / 16000, sample_rate: 16000, channels: 1, format: 'pcm_f32', warnings: [] });
    expect(fromSamples.result.timings_ms.decode).toBe(0);
  });

  it('should run the int8 variant with the same labels and a close result', async () => {
    const int8 = await Engine.load(testModelDir('tiny-a-int8'), { variant: 'int8', threads: 1 });
    try {
      const expected = goldenExpected('tiny-a', 'speech_16k_mono');
      const { result, embedding } = await int8.analyze(wav('speech_16k_mono'), { embedding: true });
      expect(result.model.variant).toBe('int8');
      // dynamic int8 quantization of a random tiny model: close, not equal
      expect(maxDiff(Object.values(result.scores), expected.result.scores)).toBeLessThan(0.05);
      expect(maxDiff(embedding!.data, expected.embedding)).toBeLessThan(0.5);
      expect(maxDiff(embedding!.data, expected.embedding)).toBeGreaterThan(TOL); // really the int8 graph
    } finally {
      await int8.close();
    }
  });
});
