/**
 * fbank / fbankAsync API: argument checks in TS and again in C++ (the raw
 * binding), defaults, edge lengths, dither determinism and the async twin.
 */
import { describe, expect, it } from 'vitest';
import { binding, type Binding } from '../lib/binding.js';
import { fbank, fbankAsync, type FbankOptions } from '../lib/index.js';
import { FBANK_DEFAULTS, LOG_FLOOR, fbankManifest, firstDifference, loadFixture, noise, toAddonOptions } from './fbank.helpers.js';
import { referenceFbank } from './fbank.reference.js';
import { expectError } from './support/expect-error.js';

const speech = loadFixture('inputs/speech16k.int16_range.f32.npy').data;

async function expectRejection(promise: Promise<unknown>, name: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection, but the promise resolved');
    },
    (e: unknown) => e as Error,
  );
  expect(error.name, error.message).toBe(name);
  expect(error.message).toMatch(message);
}

const RAW_DEFAULTS: Binding.RawFbankOptions = { ...FBANK_DEFAULTS, ditherSeed: 0 };

//#region BAD CALL - wrong types (TypeError, naming the argument)
describe('BAD CALL - fbank argument types', () => {
  it.each([
    ['an Array', [1, 2, 3]],
    ['a Float64Array', new Float64Array(400)],
    ['an Int16Array', new Int16Array(400)],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'samples'],
  ])('rejects samples given as %s', (_what, value) => {
    expectError(() => fbank(value as unknown as Float32Array), 'TypeError', /Float32Array for samples/);
  });

  it.each([
    ['a number', 5],
    ['a string', 'povey'],
    ['an array', []],
    ['null', null],
  ])('rejects options given as %s', (_what, value) => {
    expectError(() => fbank(speech, value as unknown as FbankOptions), 'TypeError', /options object for options/);
  });

  it.each([['numMelBin'], ['sample_frequency'], ['frameLength'], ['htkCompat']])('names the unknown option %s', (key) => {
    expectError(() => fbank(speech, { [key]: 1 } as FbankOptions), 'TypeError', new RegExp(`Unknown option '${key}'`));
  });

  it.each([
    ['numMelBins', '80', /number for numMelBins/],
    ['sampleFrequency', null, /number for sampleFrequency/],
    ['useEnergy', 1, /boolean for useEnergy/],
    ['snipEdges', 'false', /boolean for snipEdges/],
    ['windowType', 3, /string for windowType/],
    ['ditherSeed', '7', /number for ditherSeed/],
  ])('rejects %s of the wrong type', (key, value, message) => {
    expectError(() => fbank(speech, { [key]: value } as FbankOptions), 'TypeError', message);
  });

  it('requires ditherSeed when dither is not 0', () => {
    expectError(() => fbank(speech, { dither: 1 }), 'TypeError', /ditherSeed \(required when dither is not 0\)/);
  });

  it('fbankAsync rejects (does not throw) on a bad call', async () => {
    const pending = fbankAsync([1, 2] as unknown as Float32Array); // returns; does not throw
    expect(pending).toBeInstanceOf(Promise);
    await expectRejection(pending, 'TypeError', /Float32Array for samples/);
    await expectRejection(fbankAsync(speech, { nummelbins: 3 } as FbankOptions), 'TypeError', /Unknown option 'nummelbins'/);
  });
});
//#endregion

//#region EXPECTED FAILURE - values out of range (RangeError, naming the argument)
describe('EXPECTED FAILURE - fbank values out of range', () => {
  it.each([
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ])('rejects a %s sample, naming its index', (bad, shown) => {
    const samples = speech.slice(0, 5000);
    samples[4321] = bad;
    expectError(() => fbank(samples), 'RangeError', new RegExp(`samples\\[4321\\] is ${shown}$`));
  });

  const cases: [string, FbankOptions, RegExp][] = [
    ['sampleFrequency 0', { sampleFrequency: 0 }, /sampleFrequency/],
    ['sampleFrequency -16000', { sampleFrequency: -16000 }, /sampleFrequency/],
    ['sampleFrequency NaN', { sampleFrequency: Number.NaN }, /sampleFrequency/],
    ['sampleFrequency 2e6 (absurd)', { sampleFrequency: 2e6 }, /sampleFrequency/],
    ['frameLengthMs 0', { frameLengthMs: 0 }, /\(0, 100000\] for frameLengthMs/],
    ['frameLengthMs -25', { frameLengthMs: -25 }, /frameLengthMs/],
    ['frameLengthMs Infinity', { frameLengthMs: Number.POSITIVE_INFINITY }, /frameLengthMs/],
    ['frameLengthMs giving a 1-sample window', { frameLengthMs: 0.1 }, /frameLengthMs 0.1 gives a window of 1 samples/],
    ['frameLengthMs giving a window over 65536', { sampleFrequency: 48000, frameLengthMs: 2000 }, /frameLengthMs 2000 gives a window of 96000/],
    ['frameShiftMs 0', { frameShiftMs: 0 }, /frameShiftMs/],
    ['frameShiftMs giving a 0-sample shift', { frameShiftMs: 0.01 }, /frameShiftMs 0.01 gives a shift of 0 samples/],
    ['dither -1', { dither: -1, ditherSeed: 1 }, /dither/],
    ['ditherSeed 1.5', { dither: 1, ditherSeed: 1.5 }, /integer in \[0, 9007199254740991\] for ditherSeed/],
    ['ditherSeed -1', { ditherSeed: -1 }, /ditherSeed/],
    ['preemphasisCoefficient 1.5', { preemphasisCoefficient: 1.5 }, /preemphasisCoefficient/],
    ['blackmanCoeff -0.1', { blackmanCoeff: -0.1 }, /blackmanCoeff/],
    ['windowType hann', { windowType: 'hann' as FbankOptions['windowType'] }, /one of 'povey'.* for windowType/],
    ['numMelBins 0', { numMelBins: 0 }, /numMelBins/],
    ['numMelBins 2.5', { numMelBins: 2.5 }, /integer .* for numMelBins/],
    ['numMelBins beyond the FFT bins', { numMelBins: 257 }, /numMelBins 257 exceeds the 256 FFT bins of a 512-point FFT/],
    ['lowFreq -1', { lowFreq: -1 }, /lowFreq/],
    ['lowFreq at Nyquist', { lowFreq: 8000 }, /lowFreq 8000 must be below the Nyquist frequency 8000/],
    ['highFreq above Nyquist', { highFreq: 9000 }, /highFreq 9000 resolves to 9000 Hz/],
    ['highFreq offset to 0 Hz', { highFreq: -8000 }, /highFreq -8000 resolves to 0 Hz/],
    ['lowFreq above highFreq', { lowFreq: 4000, highFreq: 3000 }, /lowFreq 4000 must be below highFreq \(3000 Hz\)/],
    ['energyFloor -1', { energyFloor: -1 }, /energyFloor/],
    [
      'an odd window without roundToPowerOfTwo',
      { sampleFrequency: 11025, roundToPowerOfTwo: false },
      /frameLengthMs 25 gives an odd window of 275 samples; with roundToPowerOfTwo false/,
    ],
  ];

  it.each(cases)('rejects %s', (_what, options, message) => {
    expectError(() => fbank(speech, options), 'RangeError', message);
  });

  it.each(cases)('fbankAsync rejects %s', async (_what, options, message) => {
    await expectRejection(fbankAsync(speech, options), 'RangeError', message);
  });

  it('accepts the boundary values', () => {
    expect(fbank(speech.slice(0, 800), { lowFreq: 0, highFreq: 8000 }).frames).toBe(3);
    expect(fbank(speech.slice(0, 800), { numMelBins: 256 }).bins).toBe(256);
    expect(fbank(speech.slice(0, 800), { sampleFrequency: 11025, roundToPowerOfTwo: true }).frames).toBe(5); // window 275, shift 110
    expect(fbank(speech.slice(0, 800), { dither: 0, ditherSeed: 0 }).frames).toBe(3);
  });
});
//#endregion

//#region EXPECTED FAILURE - the C++ side re-checks (raw binding, no TS validation)
describe('EXPECTED FAILURE - native re-check of raw arguments', () => {
  it('rejects a non-Float32Array and non-finite samples', () => {
    expectError(() => binding().fbank(new Float64Array(10) as unknown as Float32Array, RAW_DEFAULTS), 'TypeError', /Float32Array for samples/);
    expectError(() => binding().fbankAsync([] as unknown as Float32Array, RAW_DEFAULTS), 'TypeError', /Float32Array for samples/);
    const samples = new Float32Array(1000);
    samples[999] = Number.NaN;
    expectError(() => binding().fbank(samples, RAW_DEFAULTS), 'RangeError', /samples\[999\] is NaN/);
  });

  it('rejects missing arguments and fields of the wrong type', () => {
    expectError(() => (binding().fbank as unknown as (s: Float32Array) => unknown)(speech), 'TypeError', /Expected 2 arguments/);
    expectError(() => binding().fbank(speech, null as unknown as Binding.RawFbankOptions), 'TypeError', /options object/);
    const { sampleFrequency: _dropped, ...missing } = RAW_DEFAULTS;
    expectError(() => binding().fbank(speech, missing as Binding.RawFbankOptions), 'TypeError', /number for sampleFrequency but received undefined/);
    expectError(() => binding().fbank(speech, { ...RAW_DEFAULTS, usePower: 1 as unknown as boolean }), 'TypeError', /boolean for usePower/);
    expectError(() => binding().fbank(speech, { ...RAW_DEFAULTS, windowType: 1 as unknown as 'povey' }), 'TypeError', /string for windowType/);
  });

  it.each([
    [{ windowType: 'kaiser' as 'povey' }, /for windowType but received 'kaiser'/],
    [{ numMelBins: 1.5 }, /integer in \[1, 32768\] for numMelBins/],
    [{ ditherSeed: -3 }, /ditherSeed/],
    [{ sampleFrequency: 0 }, /sampleFrequency/],
    [{ frameShiftMs: Number.NaN }, /frameShiftMs/],
    [{ numMelBins: 300 }, /numMelBins 300 exceeds the 256 FFT bins/],
    [{ sampleFrequency: 11025, roundToPowerOfTwo: false }, /odd window of 275 samples/],
    [{ lowFreq: 5000, highFreq: 4000 }, /lowFreq 5000 must be below highFreq/],
    [{ highFreq: 8001 }, /highFreq 8001 resolves to 8001 Hz/],
    [{ energyFloor: Number.POSITIVE_INFINITY }, /energyFloor/],
  ] as [Partial<Binding.RawFbankOptions>, RegExp][])('rejects raw options %o', (patch, message) => {
    expectError(() => binding().fbank(speech, { ...RAW_DEFAULTS, ...patch }), 'RangeError', message);
  });
});
//#endregion

describe('fbank results', () => {
  it('uses the design.md defaults', () => {
    const implicit = fbank(speech);
    const explicit = fbank(speech, { ...FBANK_DEFAULTS });
    expect(implicit.bins).toBe(80);
    expect(implicit.frames).toBe(362);
    expect(firstDifference(implicit.data, explicit.data)).toBe(-1);
    expect(firstDifference(fbank(speech, { numMelBins: undefined, useEnergy: undefined }).data, implicit.data)).toBe(-1);
  });

  it('puts the energy in column 0 with useEnergy', () => {
    const plain = fbank(speech);
    const withEnergy = fbank(speech, { useEnergy: true });
    expect(withEnergy.bins).toBe(81);
    for (let f = 0; f < plain.frames; f++) {
      const row = firstDifference(withEnergy.data.subarray(f * 81 + 1, f * 81 + 81), plain.data.subarray(f * 80, f * 80 + 80));
      expect(row, `frame ${f}`).toBe(-1);
    }
  });

  it('leaves the input unchanged and returns fresh arrays', () => {
    const input = speech.slice();
    const a = fbank(input);
    const b = fbank(input);
    expect(firstDifference(input, speech)).toBe(-1);
    expect(a.data).not.toBe(b.data);
    expect(firstDifference(a.data, b.data)).toBe(-1);
  });

  it('gives 0 frames (and bins = numMelBins (+1)) for an empty input', () => {
    for (const snipEdges of [true, false]) {
      const r = fbank(new Float32Array(0), { snipEdges });
      expect(r).toEqual({ data: new Float32Array(0), frames: 0, bins: 80 });
    }
    expect(fbank(new Float32Array(0), { useEnergy: true, numMelBins: 23 }).bins).toBe(24);
    expect(fbank(new Float32Array(399)).frames).toBe(0);
  });

  it('reflects very short inputs repeatedly without snipEdges, as Kaldi does', () => {
    // 80 samples: one frame of 400 samples built by reflecting the input back and forth.
    const input = noise(80, 3);
    const o = { ...FBANK_DEFAULTS, snipEdges: false, useEnergy: true };
    const r = fbank(input, o);
    expect(r.frames).toBe(1);
    const expected = referenceFbank(input, o);
    for (let c = 0; c < r.bins; c++) expect(Math.abs(r.data[c]! - expected.data[c]!)).toBeLessThanOrEqual(1e-3);
    expect(fbank(noise(79, 3), { snipEdges: false }).frames).toBe(0);
  });

  it('gives the floor in every bin, and energy ln(energyFloor) or ln(eps), for digital silence', () => {
    const silence = new Float32Array(16000);
    const r = fbank(silence, { useEnergy: true, energyFloor: 0 });
    expect(r.data.every((v) => v === LOG_FLOOR)).toBe(true);
    const floored = fbank(silence, { useEnergy: true, energyFloor: 2 });
    for (let f = 0; f < floored.frames; f++) expect(floored.data[f * 81]).toBe(Math.fround(Math.log(2)));
    expect(fbank(silence, { useLogFbank: false }).data.every((v) => v === 0)).toBe(true);
  });

  it('dithers deterministically for a given seed', () => {
    const input = speech.slice(0, 8000);
    const a = fbank(input, { dither: 1, ditherSeed: 42 });
    const b = fbank(input, { dither: 1, ditherSeed: 42 });
    const c = fbank(input, { dither: 1, ditherSeed: 43 });
    const none = fbank(input);
    expect(firstDifference(a.data, b.data)).toBe(-1);
    expect(firstDifference(a.data, c.data)).not.toBe(-1);
    expect(firstDifference(a.data, none.data)).not.toBe(-1);
    // Silent frames now hold unit-variance noise: about ln(sum of weights * N * 1) instead of the floor.
    expect(none.data[0]).toBe(LOG_FLOOR);
    expect(a.data[0]).toBeGreaterThan(LOG_FLOOR + 5);
    // On speech, dither of 1 LSB barely moves the loud bins.
    let maxLoud = 0;
    for (let i = 0; i < a.data.length; i++) if (none.data[i]! > 15) maxLoud = Math.max(maxLoud, Math.abs(a.data[i]! - none.data[i]!));
    expect(maxLoud).toBeLessThan(0.05);
  });
});

describe('fbankAsync', () => {
  it('equals fbank on every golden case', async () => {
    for (const c of fbankManifest.cases) {
      const samples = loadFixture(c.input_npy).data;
      const options = toAddonOptions(c.options);
      const [sync, async] = [fbank(samples, options), await fbankAsync(samples, options)];
      expect(async.frames, c.name).toBe(sync.frames);
      expect(async.bins, c.name).toBe(sync.bins);
      expect(firstDifference(async.data, sync.data), c.name).toBe(-1);
    }
  });

  it('runs many calls concurrently, with dither too', async () => {
    const inputs = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => speech.subarray(i * 5000, i * 5000 + 20000));
    const results = await Promise.all(inputs.map((x, i) => fbankAsync(x, { dither: i % 2, ditherSeed: i })));
    results.forEach((r, i) => {
      const sync = fbank(inputs[i]!, { dither: i % 2, ditherSeed: i });
      expect([r.frames, r.bins]).toEqual([sync.frames, sync.bins]);
      expect(firstDifference(r.data, sync.data), `call ${i}`).toBe(-1);
    });
  });

  it('works on a copy: changing the input after the call does not change the result', async () => {
    const input = speech.slice();
    const pending = fbankAsync(input);
    input.fill(0);
    expect(firstDifference((await pending).data, fbank(speech).data)).toBe(-1);
  });
});
