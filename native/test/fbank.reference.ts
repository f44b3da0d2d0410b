/**
 * A slow, plain float64 Kaldi fbank written from the rules in
 * fixtures/GOLDEN-README.md (direct DFT, no FFT), to check the addon on option
 * sets the golden data does not cover (any FFT size, windows, energies).
 * Dither is not modelled: call it with dither 0.
 * @module
 */
import { type CompleteFbankOptions, frameStart, geometry, expectedFrameCount, reflect } from './fbank.helpers.js';

const EPSILON = 2 ** -23;

function windowFunction(o: CompleteFbankOptions, size: number): Float64Array {
  const a = (2 * Math.PI) / (size - 1);
  const w = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const hann = 0.5 - 0.5 * Math.cos(a * i);
    switch (o.windowType) {
      case 'povey':
        w[i] = hann ** 0.85;
        break;
      case 'hanning':
        w[i] = hann;
        break;
      case 'hamming':
        w[i] = 0.54 - 0.46 * Math.cos(a * i);
        break;
      case 'rectangular':
        w[i] = 1;
        break;
      case 'blackman':
        w[i] = o.blackmanCoeff - 0.5 * Math.cos(a * i) + (0.5 - o.blackmanCoeff) * Math.cos(2 * a * i);
        break;
    }
  }
  return w;
}

const mel = (hz: number): number => 1127 * Math.log(1 + hz / 700);

/** Unit roundoff of float32. */
const FLOAT32_ROUNDOFF = 2 ** -24;

/** Upper band edge in Hz (highFreq <= 0 is an offset from Nyquist). */
function highEdge(o: CompleteFbankOptions): number {
  return o.highFreq > 0 ? o.highFreq : o.sampleFrequency / 2 + o.highFreq;
}

/**
 * Absolute rounding error of a mel weight built in float32, as torchaudio builds them:
 * `(mel(f) - left) / (center - left)` loses about u * mel(f) / (center - left) <= u * mel(high)
 * / delta to the subtraction, times 4 for the other float32 steps (mel(f), left, the division).
 * A weight this close to 0 is noise: it may be 0 in one implementation and 1e-6 in another.
 */
export function melWeightRounding(o: CompleteFbankOptions): number {
  const delta = (mel(highEdge(o)) - mel(o.lowFreq)) / (o.numMelBins + 1);
  return (4 * FLOAT32_ROUNDOFF * mel(highEdge(o))) / delta;
}

/**
 * Mel triangles [bin][k] for k in [0, padded / 2) before clamping at 0 (the Nyquist bin has
 * weight 0): a weight is the positive part, and a bin belongs to a filter's support when its
 * value is above -{@link melWeightRounding} (within rounding of the triangle's edges).
 */
function melTriangles(o: CompleteFbankOptions, padded: number): Float64Array[] {
  const low = mel(o.lowFreq);
  const delta = (mel(highEdge(o)) - low) / (o.numMelBins + 1);
  const banks: Float64Array[] = [];
  for (let b = 0; b < o.numMelBins; b++) {
    const left = low + b * delta;
    const center = low + (b + 1) * delta;
    const right = low + (b + 2) * delta;
    const row = new Float64Array(padded / 2);
    for (let k = 0; k < padded / 2; k++) {
      const m = mel((k * o.sampleFrequency) / padded);
      row[k] = Math.min((m - left) / (center - left), (right - m) / (right - center));
    }
    banks.push(row);
  }
  return banks;
}

/** What {@link referenceFbank} computes. */
export interface ReferenceFbank {
  /** Rows of numMelBins (+1 energy) values. */
  data: Float64Array;
  frames: number;
  bins: number;
  /**
   * Per frame and mel bin (frames x numMelBins): the spectrum summed over the filter's support,
   * edges included. Float32 rounding of the weights moves a mel energy by at most
   * {@link melWeightRounding} times this.
   */
  support: Float64Array;
}

/** Float64 fbank of `samples`. */
export function referenceFbank(samples: Float32Array, o: CompleteFbankOptions): ReferenceFbank {
  const { window, padded } = geometry(o);
  const frames = expectedFrameCount(samples.length, o);
  const bins = o.numMelBins + (o.useEnergy ? 1 : 0);
  const data = new Float64Array(frames * bins);
  const support = new Float64Array(frames * o.numMelBins);
  const w = windowFunction(o, window);
  const triangles = melTriangles(o, padded);
  const edge = -melWeightRounding(o);
  const cos = new Float64Array(padded);
  const sin = new Float64Array(padded);
  for (let i = 0; i < padded; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / padded);
    sin[i] = Math.sin((2 * Math.PI * i) / padded);
  }
  const x = new Float64Array(window);
  const spectrum = new Float64Array(padded / 2);
  for (let f = 0; f < frames; f++) {
    const start = frameStart(f, o);
    for (let j = 0; j < window; j++) x[j] = samples[reflect(start + j, samples.length)]!;
    if (o.removeDcOffset) {
      const mean = x.reduce((s, v) => s + v, 0) / window;
      for (let j = 0; j < window; j++) x[j]! -= mean;
    }
    const energyOf = (): number => x.reduce((s, v) => s + v * v, 0);
    let energy = o.rawEnergy ? energyOf() : 0;
    for (let j = window - 1; j >= 0; j--) x[j]! -= o.preemphasisCoefficient * x[j > 0 ? j - 1 : 0]!;
    for (let j = 0; j < window; j++) x[j]! *= w[j]!;
    if (!o.rawEnergy) energy = energyOf();
    for (let k = 0; k < padded / 2; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < window; j++) {
        const phase = (j * k) % padded;
        re += x[j]! * cos[phase]!;
        im -= x[j]! * sin[phase]!;
      }
      const power = re * re + im * im;
      spectrum[k] = o.usePower ? power : Math.sqrt(power);
    }
    const row = f * bins;
    if (o.useEnergy) {
      let logEnergy = Math.log(Math.max(energy, EPSILON));
      if (o.energyFloor > 0) logEnergy = Math.max(logEnergy, Math.log(o.energyFloor));
      data[row] = logEnergy;
    }
    for (let b = 0; b < o.numMelBins; b++) {
      let sum = 0;
      let inSupport = 0;
      triangles[b]!.forEach((triangle, k) => {
        if (triangle > 0) sum += triangle * spectrum[k]!;
        if (triangle > edge) inSupport += spectrum[k]!;
      });
      data[row + bins - o.numMelBins + b] = o.useLogFbank ? Math.log(Math.max(sum, EPSILON)) : sum;
      support[f * o.numMelBins + b] = inSupport;
    }
  }
  return { data, frames, bins, support };
}
