/**
 * Golden test: `fbank` against torchaudio.compliance.kaldi.fbank outputs stored in
 * test/fixtures/fbank (see test/fixtures/GOLDEN-README.md), every case of the
 * manifest. Tolerances from the README: shapes exact; log mel values within 10
 * nats of their frame's largest <= 1e-3, all others <= 5e-3 (values within 1 nat
 * of the floor skipped), mean <= 5e-5; energy column <= 1e-4; linear values
 * relatively <= 1e-3; digital silence exactly at the floor.
 */
import { describe, expect, it } from 'vitest';
import { fbank } from '../lib/index.js';
import {
  FBANK_DEFAULTS,
  LOG_FLOOR,
  compareLinearFeatures,
  compareLogFeatures,
  fbankManifest,
  frameStart,
  loadFixture,
  reflect,
  toAddonOptions,
  where,
  type GoldenFbankCase,
} from './fbank.helpers.js';

/** Checks `actual` against `expected` under the README's rules; messages name the case and frame. */
function expectMatches(c: GoldenFbankCase, actual: Float32Array, expected: Float32Array, columns: number): void {
  const frames = expected.length / columns;
  if (!c.options.use_log_fbank) {
    const worst = compareLinearFeatures(actual, expected, columns);
    expect(worst.diff, `case ${c.name}, linear, ${where(worst)}`).toBeLessThanOrEqual(1e-3);
    return;
  }
  const result = compareLogFeatures(actual, expected, frames, columns, c.options.use_energy);
  expect(result.nearMax.diff, `case ${c.name}, within 10 nats of frame max, ${where(result.nearMax)}`).toBeLessThanOrEqual(1e-3);
  expect(result.all.diff, `case ${c.name}, all values, ${where(result.all)}`).toBeLessThanOrEqual(5e-3);
  expect(result.meanAbs, `case ${c.name}, mean absolute difference`).toBeLessThanOrEqual(5e-5);
  if (result.energy) {
    expect(result.energy.diff, `case ${c.name}, energy column, ${where(result.energy)}`).toBeLessThanOrEqual(1e-4);
  }
}

/** Frames whose every input sample (after reflection) is zero. */
function silentFrames(c: GoldenFbankCase, samples: Float32Array, frames: number): number[] {
  const o = { ...FBANK_DEFAULTS, ...toAddonOptions(c.options) } as typeof FBANK_DEFAULTS;
  const silent: number[] = [];
  for (let f = 0; f < frames; f++) {
    const start = frameStart(f, o);
    let zero = true;
    for (let j = 0; j < c.derived.window_size && zero; j++) zero = samples[reflect(start + j, samples.length)] === 0;
    if (zero) silent.push(f);
  }
  return silent;
}

describe('fbank matches torchaudio.compliance.kaldi.fbank (golden data)', () => {
  const withExpected = fbankManifest.cases.filter((c) => c.expected !== null);
  it('has the 22 cases of the README: 20 with torchaudio output, 2 where torchaudio raises', () => {
    expect(fbankManifest.cases.length).toBe(22);
    expect(withExpected.length).toBe(20);
  });

  it.each(withExpected.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const samples = loadFixture(c.input_npy).data;
    expect(samples.length).toBe(c.input_num_samples);
    const expected = loadFixture(c.expected!);
    const result = fbank(samples, toAddonOptions(c.options));
    expect([result.frames, result.bins], `case ${c.name}: shape`).toEqual(expected.shape);
    expect(result.data.length).toBe(expected.data.length);
    expectMatches(c, result.data, expected.data, result.bins);

    if (c.options.use_log_fbank) {
      // Digital silence gives exactly ln(float32 eps) in every mel bin.
      const first = c.options.use_energy ? 1 : 0;
      for (const f of silentFrames(c, samples, result.frames)) {
        for (let b = first; b < result.bins; b++) {
          expect(expected.data[f * result.bins + b], `fixture ${c.name} frame ${f}`).toBe(LOG_FLOOR);
          expect(result.data[f * result.bins + b], `case ${c.name}: silent frame ${f}, column ${b}`).toBe(LOG_FLOOR);
        }
      }
    }
  });

  it('checks the exact floor on real silent frames (the speech16k input starts with 80 ms of zeros)', () => {
    const c = fbankManifest.cases.find((k) => k.name === 'common_80_povey_16k')!;
    const samples = loadFixture(c.input_npy).data;
    expect(silentFrames(c, samples, 362).length).toBeGreaterThanOrEqual(5);
  });
});

describe('inputs shorter than one frame (Kaldi semantics; torchaudio raises)', () => {
  const short = fbankManifest.cases.filter((c) => c.expected === null);
  it('the manifest has both short cases', () => {
    expect(short.map((c) => c.name).sort()).toEqual(['short_200_nosnip', 'short_399_snip']);
  });

  it.each(short.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const samples = loadFixture(c.input_npy).data;
    const result = fbank(samples, toAddonOptions(c.options));
    const kaldi = c.kaldi_semantics!;
    expect(result.frames).toBe(kaldi.num_frames);
    expect(result.bins).toBe(c.options.num_mel_bins + (c.options.use_energy ? 1 : 0));
    expect(result.data.length).toBe(kaldi.num_frames * result.bins);
    if (kaldi.npy) {
      const expected = loadFixture(kaldi.npy);
      expect([result.frames, result.bins]).toEqual(expected.shape);
      expectMatches(c, result.data, expected.data, result.bins);
    }
  });
});
