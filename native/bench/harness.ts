/**
 * Minimal benchmark harness: times cases and reports seconds of audio
 * processed per second of wall time (x realtime), single thread.
 * @module
 */
import { seededRandom } from '../test/support/random.js';

export { seededRandom };

/** One benchmark case. `run` processes `audioSeconds` of audio once. */
export interface BenchCase {
  /** Table group, e.g. "fbank" or "resample parity". */
  group: string;
  /** Case name, e.g. "80 bins 16 kHz". */
  name: string;
  /** Seconds of audio one `run()` processes. */
  audioSeconds: number;
  /** Processes the audio once (synchronously, on this thread). */
  run(): void;
  /** Published reference speed (x realtime) measured on this machine type, if any. */
  reference?: { label: string; realtime: number };
  /** Target speed (x realtime) from the issue, if any. */
  target?: number;
}

/** Timing of one case. */
export interface BenchTiming {
  group: string;
  name: string;
  /** Median x realtime over the timed runs. */
  realtime: number;
  /** Number of timed runs. */
  runs: number;
}

/**
 * Times a case: a few warm-up runs, then timed runs for at least `minMs`
 * (and at least 5 runs); reports the median run.
 */
export function timeCase(bench: BenchCase, minMs = 1500): BenchTiming {
  for (let i = 0; i < 3; i++) bench.run();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 5 || performance.now() - start < minMs) {
    const t0 = performance.now();
    bench.run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  return { group: bench.group, name: bench.name, realtime: bench.audioSeconds / (median / 1000), runs: times.length };
}

/**
 * Seeded speech-like test signal: a few drifting harmonics plus noise, in
 * [-1, 1), `seconds` long at `rate` Hz (multiplied by `scale`).
 */
export function seededSignal(seconds: number, rate: number, seed: number, scale = 1): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    const f0 = 120 + 40 * Math.sin(2 * Math.PI * 0.3 * t);
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / (h * 3);
    out[i] = (v * 0.6 + (random() - 0.5) * 0.1) * scale;
  }
  return out;
}
