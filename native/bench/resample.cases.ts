/**
 * Benchmark cases for `resample`: parity and vhq quality for the rates the
 * pipeline meets (44.1 kHz, 48 kHz and 8 kHz to 16 kHz), one-shot on 60 s of
 * seeded noise, single thread, through the public API (validation included).
 * @module
 */
import { resample, type ResampleQuality } from '../lib/index.js';
import { seededRandom, type BenchCase } from './harness.js';

const SECONDS = 60;

/** Targets from the issue and the reference speeds measured on this machine type (x realtime). */
const SPEEDS: Record<ResampleQuality, { target: number; reference: { label: string; realtime: number } }> = {
  parity: { target: 15_000, reference: { label: 'torchaudio', realtime: 2_900 } },
  vhq: { target: 2_200, reference: { label: 'sox rate -v', realtime: 1_100 } },
};

/** `seconds` of uniform seeded noise at `rate` Hz, peak 0.5. */
function seededNoise(seconds: number, rate: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(seconds * rate);
  for (let i = 0; i < out.length; i++) out[i] = random() - 0.5;
  return out;
}

const inputs = new Map<number, Float32Array>();

/** The input for `rate`, made on first use (shared by both qualities). */
function inputAt(rate: number): Float32Array {
  let input = inputs.get(rate);
  if (input === undefined) {
    input = seededNoise(SECONDS, rate, rate);
    inputs.set(rate, input);
  }
  return input;
}

const PAIRS: ReadonlyArray<readonly [number, number]> = [
  [44100, 16000],
  [48000, 16000],
  [8000, 16000],
];

/** parity and vhq resampling of 60 s of noise, for each rate pair. */
export const resampleBenchCases: BenchCase[] = (['parity', 'vhq'] as const).flatMap((quality) =>
  PAIRS.map(([fromHz, toHz]) => ({
    group: `resample ${quality}`,
    name: `${fromHz / 1000} kHz -> ${toHz / 1000} kHz, ${SECONDS} s noise`,
    audioSeconds: SECONDS,
    run(): void {
      resample(inputAt(fromHz), fromHz, toHz, { quality });
    },
    target: SPEEDS[quality].target,
    reference: SPEEDS[quality].reference,
  })),
);
