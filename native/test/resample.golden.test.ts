/**
 * Golden test: `resample` (parity quality) against torchaudio.functional.resample
 * outputs stored in test/fixtures/resample (see test/fixtures/GOLDEN-README.md).
 * Tolerances from the README: exact length, identity bit-exact, max |diff| <= 1e-4
 * and RMS(diff) <= 2e-5 on every case.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '@e2v/npy';
import { describe, expect, it } from 'vitest';
import { resample, Resampler } from '../lib/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'resample');
const MAX_ABS = 1e-4;
const MAX_RMS = 2e-5;

interface GoldenCase {
  name: string;
  orig_freq: number;
  new_freq: number;
  input_npy: string;
  input_num_samples: number;
  expected: string;
  expected_shape: number[];
  derived: { output_length: number };
}

const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { cases: GoldenCase[] };

function loadFloat32(relative: string): Float32Array {
  const array = readNpy(readFileSync(join(FIXTURES, relative)));
  if (!(array.data instanceof Float32Array)) throw new Error(`${relative}: expected float32 data, got ${array.dtype}`);
  return array.data;
}

/** Largest absolute difference (with its index) and RMS difference. */
function compare(actual: Float32Array, expected: Float32Array): { maxAbs: number; index: number; rms: number } {
  let maxAbs = 0;
  let index = -1;
  let sumSquares = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    sumSquares += d * d;
    if (!(d <= maxAbs)) {
      maxAbs = d;
      index = i;
    }
  }
  return { maxAbs, index, rms: Math.sqrt(sumSquares / Math.max(1, expected.length)) };
}

function describeFailure(c: GoldenCase, actual: Float32Array, expected: Float32Array): string {
  const { maxAbs, index, rms } = compare(actual, expected);
  return (
    `case ${c.name} (${c.orig_freq} -> ${c.new_freq} Hz, ${c.input_num_samples} samples): ` +
    `largest difference ${maxAbs.toExponential(3)} at index ${index} ` +
    `(got ${actual[index]}, expected ${expected[index]}), RMS ${rms.toExponential(3)}`
  );
}

describe('resample: torchaudio golden data (parity)', () => {
  it('has the manifest cases', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(21);
  });

  it.each(manifest.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const input = loadFloat32(c.input_npy);
    const expected = loadFloat32(c.expected);
    expect(input.length).toBe(c.input_num_samples);
    expect(expected.length).toBe(c.derived.output_length);

    const actual = resample(input, c.orig_freq, c.new_freq);
    expect(actual.length, `case ${c.name}: output length`).toBe(expected.length);
    if (c.orig_freq === c.new_freq) {
      expect(actual, `case ${c.name}: identity must be a copy`).not.toBe(input);
      const same = Buffer.from(actual.buffer).equals(Buffer.from(expected.buffer));
      expect(same, describeFailure(c, actual, expected)).toBe(true);
      return;
    }
    const { maxAbs, rms } = compare(actual, expected);
    expect(maxAbs, describeFailure(c, actual, expected)).toBeLessThanOrEqual(MAX_ABS);
    expect(rms, describeFailure(c, actual, expected)).toBeLessThanOrEqual(MAX_RMS);
  });

  it.each(manifest.cases.filter((c) => c.name.startsWith('speech_')).map((c) => [c.name, c] as const))('%s streamed in 997-sample chunks', (_name, c) => {
    const input = loadFloat32(c.input_npy);
    const expected = loadFloat32(c.expected);
    const resampler = new Resampler(c.orig_freq, c.new_freq);
    const parts: Float32Array[] = [];
    for (let start = 0; start < input.length; start += 997) {
      parts.push(resampler.process(input.subarray(start, start + 997)));
    }
    parts.push(resampler.flush());
    const actual = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      actual.set(p, offset);
      offset += p.length;
    }
    expect(actual.length).toBe(expected.length);
    const { maxAbs, rms } = compare(actual, expected);
    expect(maxAbs, describeFailure(c, actual, expected)).toBeLessThanOrEqual(MAX_ABS);
    expect(rms, describeFailure(c, actual, expected)).toBeLessThanOrEqual(MAX_RMS);
  });
});
