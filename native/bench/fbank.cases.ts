/**
 * fbank benchmark cases: Kaldi fbank of a seeded speech-like signal at 16 kHz in
 * the int16 range (the common speech-model setup), one thread, synchronous calls.
 * Reference: torchaudio.compliance.kaldi.fbank, 80 bins, measured at 955x realtime
 * on this machine type; target from the issue: 10,000x.
 * @module
 */
import { fbank, type FbankOptions } from '../lib/index.js';
import { seededSignal, type BenchCase } from './harness.js';

const RATE = 16000;
const TORCHAUDIO = { label: 'torchaudio 80 bins', realtime: 955 };
const TARGET = 10_000;

/** 60 s of seeded speech-like audio at int16 scale. */
const minute = seededSignal(60, RATE, 20240, 16384);
/** Its first second, for the per-call cost of short inputs. */
const second = minute.subarray(0, RATE);

function fbankCase(name: string, samples: Float32Array, options: FbankOptions, extra: Partial<BenchCase> = {}): BenchCase {
  return {
    group: 'fbank',
    name,
    audioSeconds: samples.length / RATE,
    run() {
      fbank(samples, options);
    },
    ...extra,
  };
}

export const fbankBenchCases: BenchCase[] = [
  fbankCase('80 bins 16 kHz, 60 s', minute, { numMelBins: 80 }, { reference: TORCHAUDIO, target: TARGET }),
  fbankCase('80 bins 16 kHz, 1 s per call', second, { numMelBins: 80 }, { target: TARGET }),
  fbankCase('40 bins 16 kHz, 60 s', minute, { numMelBins: 40 }),
  fbankCase('23 bins 16 kHz, 60 s', minute, { numMelBins: 23 }),
  fbankCase('80 bins + energy, snipEdges false, 60 s', minute, { numMelBins: 80, useEnergy: true, snipEdges: false }),
];
