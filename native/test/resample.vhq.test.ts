/**
 * Spectral tests of `quality: 'vhq'`: >= 140 dB rejection of aliases (when
 * downsampling) and images (when upsampling) above half the lower rate, and
 * <= 0.01 dB passband ripple up to 0.45 x the lower rate. Measured in float64
 * with a 7-term Blackman-Harris window (sidelobes near -180 dB), so the
 * measurement floor sits well below -140 dB.
 */
import { describe, expect, it } from 'vitest';
import { resample } from '../lib/index.js';

const REJECTION_DB = 140;
const RIPPLE_DB = 0.01;
const FFT_SIZE = 1 << 15;

// 7-term Blackman-Harris window coefficients (peak sidelobe about -180 dB).
const BH7 = [0.27105140069342, -0.43329793923448, 0.21812299954311, -0.06592544638803, 0.01081174209837, -0.00077658482522, 0.00001388721735];

function blackmanHarris7(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let v = 0;
    for (let k = 0; k < BH7.length; k++) v += BH7[k]! * Math.cos((2 * Math.PI * k * i) / size);
    w[i] = v;
  }
  return w;
}

const WINDOW = blackmanHarris7(FFT_SIZE);
const WINDOW_SUM = WINDOW.reduce((a, b) => a + b, 0);

/** In-place iterative radix-2 complex FFT (float64). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const c = Math.cos(step * k);
        const s = Math.sin(step * k);
        const a = start + k;
        const b = a + size / 2;
        const tr = re[b]! * c - im[b]! * s;
        const ti = re[b]! * s + im[b]! * c;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

/**
 * Amplitude spectrum of FFT_SIZE samples of `y` from `start` (windowed), as
 * amplitudes of the sinusoids it holds: a full-scale tone on a bin reads 1.
 */
function amplitudeSpectrum(y: Float32Array, start: number): Float64Array {
  const re = new Float64Array(FFT_SIZE);
  const im = new Float64Array(FFT_SIZE);
  for (let i = 0; i < FFT_SIZE; i++) re[i] = y[start + i]! * WINDOW[i]!;
  fft(re, im);
  const amplitude = new Float64Array(FFT_SIZE / 2 + 1);
  for (let k = 0; k <= FFT_SIZE / 2; k++) amplitude[k] = (2 * Math.hypot(re[k]!, im[k]!)) / WINDOW_SUM;
  return amplitude;
}

/** Amplitude of the sinusoid of `cyclesPerSample` in `y[start ..]` (windowed single-frequency DFT). */
function toneAmplitude(y: Float32Array, start: number, cyclesPerSample: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < FFT_SIZE; i++) {
    const v = y[start + i]! * WINDOW[i]!;
    const phase = 2 * Math.PI * cyclesPerSample * i;
    re += v * Math.cos(phase);
    im -= v * Math.sin(phase);
  }
  return (2 * Math.hypot(re, im)) / WINDOW_SUM;
}

/** A float32 sine of `hz` at `rate`, amplitude `amplitude`, `length` samples. */
function tone(hz: number, rate: number, length: number, amplitude = 1): Float32Array {
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) x[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate + 0.3);
  return x;
}

/** Input length that gives FFT_SIZE output samples after a margin at each end. */
function inputLength(fromHz: number, toHz: number): { length: number; start: number } {
  const margin = 2048; // output samples skipped at each end (filter edges)
  return { length: Math.ceil(((FFT_SIZE + 2 * margin) * fromHz) / toHz), start: margin };
}

const toDb = (ratio: number): number => 20 * Math.log10(ratio);

const DOWN: Array<[number, number]> = [
  [44100, 16000],
  [48000, 16000],
  [22050, 16000],
  [96000, 16000],
  [16000, 8000],
];
const UP: Array<[number, number]> = [
  [8000, 16000],
  [16000, 44100],
  [11025, 16000],
];

describe("resample quality 'vhq': alias rejection when downsampling", () => {
  it.each(DOWN)('%i -> %i Hz: tones above the new Nyquist are >= 140 dB down', (fromHz, toHz) => {
    const { length, start } = inputLength(fromHz, toHz);
    const nyquistOut = toHz / 2;
    // Just above the new Nyquist, inside the stopband, near the old Nyquist, and tones whose aliases
    // repeat every few outputs (toHz aliases to 0 Hz, 0.75 toHz to 0.25 toHz), where float32
    // rounding errors would pile up in one bin.
    const tones = [nyquistOut * 1.002, nyquistOut * 1.05, (nyquistOut + fromHz / 2) / 2, 0.75 * toHz, toHz, fromHz * 0.49].filter((hz) => hz < fromHz * 0.495);
    for (const hz of tones) {
      const y = resample(tone(hz, fromHz, length), fromHz, toHz, { quality: 'vhq' });
      const spectrum = amplitudeSpectrum(y, start);
      let worst = 0;
      let worstBin = 0;
      spectrum.forEach((a, k) => {
        if (a > worst) [worst, worstBin] = [a, k];
      });
      const db = toDb(worst);
      expect(
        db,
        `${fromHz} -> ${toHz}: a full-scale ${hz.toFixed(1)} Hz tone leaves ${db.toFixed(1)} dB ` + `at ${((worstBin * toHz) / FFT_SIZE).toFixed(1)} Hz`,
      ).toBeLessThanOrEqual(-REJECTION_DB);
    }
  });

  it.each(DOWN)('%i -> %i Hz: a sweep across the stopband leaves < -140 dB of its energy', (fromHz, toHz) => {
    const { length } = inputLength(fromHz, toHz);
    // Linear chirp from 0.51 x toHz/2 .. 0.98 x fromHz/2 with a Blackman-Harris taper over its whole length.
    const f0 = 0.51 * toHz;
    const f1 = 0.49 * fromHz;
    const taper = blackmanHarris7(length);
    const x = new Float32Array(length);
    let inputEnergy = 0;
    for (let i = 0; i < length; i++) {
      const t = i / fromHz;
      const duration = length / fromHz;
      const phase = 2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * duration));
      x[i] = taper[i]! * Math.sin(phase);
      inputEnergy += x[i]! * x[i]!;
    }
    const y = resample(x, fromHz, toHz, { quality: 'vhq' });
    let outputEnergy = 0;
    for (let i = 0; i < y.length; i++) outputEnergy += y[i]! * y[i]!;
    // Energy per second, so the rate change does not count as gain.
    const db = 10 * Math.log10(outputEnergy / toHz / (inputEnergy / fromHz));
    expect(db, `${fromHz} -> ${toHz}: stopband sweep energy ${db.toFixed(1)} dB`).toBeLessThanOrEqual(-REJECTION_DB);
  });
});

describe("resample quality 'vhq': image rejection when upsampling", () => {
  it.each(UP)('%i -> %i Hz: images above the old Nyquist are >= 140 dB down', (fromHz, toHz) => {
    const { length, start } = inputLength(fromHz, toHz);
    const nyquistIn = fromHz / 2;
    for (const hz of [0.02 * fromHz, 0.2 * fromHz, 0.4 * fromHz, 0.45 * fromHz]) {
      const y = resample(tone(hz, fromHz, length), fromHz, toHz, { quality: 'vhq' });
      const spectrum = amplitudeSpectrum(y, start);
      const firstStopBin = Math.ceil((nyquistIn / toHz) * FFT_SIZE);
      let worst = 0;
      let worstBin = 0;
      for (let k = firstStopBin; k < spectrum.length; k++) {
        if (spectrum[k]! > worst) [worst, worstBin] = [spectrum[k]!, k];
      }
      const signal = toneAmplitude(y, start, hz / toHz);
      const db = toDb(worst / signal);
      expect(
        db,
        `${fromHz} -> ${toHz}: a ${hz.toFixed(1)} Hz tone leaves ${db.toFixed(1)} dB ` + `at ${((worstBin * toHz) / FFT_SIZE).toFixed(1)} Hz`,
      ).toBeLessThanOrEqual(-REJECTION_DB);
    }
  });
});

describe("resample quality 'vhq': passband ripple", () => {
  it.each([...DOWN, ...UP])('%i -> %i Hz: gain within 0.01 dB up to 0.45 x the lower rate', (fromHz, toHz) => {
    const { length, start } = inputLength(fromHz, toHz);
    const lower = Math.min(fromHz, toHz);
    const gains: number[] = [];
    for (let i = 1; i <= 24; i++) {
      const hz = (0.45 * lower * i) / 24;
      const amplitude = 0.5;
      const y = resample(tone(hz, fromHz, length, amplitude), fromHz, toHz, { quality: 'vhq' });
      gains.push(toDb(toneAmplitude(y, start, hz / toHz) / amplitude));
    }
    const max = Math.max(...gains);
    const min = Math.min(...gains);
    const detail = `${fromHz} -> ${toHz}: gains ${min.toFixed(6)} .. ${max.toFixed(6)} dB`;
    expect(Math.max(Math.abs(max), Math.abs(min)), detail).toBeLessThanOrEqual(RIPPLE_DB);
    expect(max - min, detail).toBeLessThanOrEqual(RIPPLE_DB);
  });
});
