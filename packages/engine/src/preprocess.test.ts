import { describe, expect, it } from 'vitest';
import { firstNonFinite, layerNormUtterance } from './preprocess.js';
import { GOLDEN_INPUTS, loadF32, maxDiff } from '@e2v/testkit';

describe('layerNormUtterance', () => {
  it.each(GOLDEN_INPUTS)("should reproduce FunASR's whole-utterance layer norm of %s", (input) => {
    const x = loadF32(`waveforms/${input}.16k.npy`).data;
    const copy = x.slice();
    expect(maxDiff(layerNormUtterance(x, 1e-5), loadF32(`waveforms/${input}.16k.normalized.npy`).data)).toBeLessThan(2e-6);
    expect(x).toEqual(copy);
  });

  it('should let eps dominate for a constant signal', () => {
    expect(Array.from(layerNormUtterance(Float32Array.from([3, 3, 3]), 1e-5))).toEqual([0, 0, 0]);
    expect(layerNormUtterance(new Float32Array(0), 1e-5).length).toBe(0);
  });
});

describe('firstNonFinite', () => {
  it('should find NaN and infinities', () => {
    expect(firstNonFinite(Float32Array.from([0, 1]))).toBe(-1);
    expect(firstNonFinite(Float32Array.from([0, Number.NaN]))).toBe(1);
    expect(firstNonFinite(Float32Array.from([Number.NEGATIVE_INFINITY]))).toBe(0);
  });
});
