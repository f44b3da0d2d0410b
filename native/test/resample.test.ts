/**
 * resample / resampleAsync / Resampler: lengths, identity, streaming,
 * async, properties (fast-check), SIMD versus scalar, worker threads, and the
 * BAD CALL / EXPECTED FAILURE groups. Golden parity data: resample.golden.test.ts;
 * vhq spectra: resample.vhq.test.ts.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binding, type Binding } from '../lib/binding.js';
import { resample, resampleAsync, Resampler, simd, type ResampleQuality } from '../lib/index.js';
import { expectError } from './support/expect-error.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The .node file the tests load (lib/binding.ts tries E2V_NATIVE_PATH first, then build/Release). */
const ADDON_PATH = process.env.E2V_NATIVE_PATH ? resolve(process.env.E2V_NATIVE_PATH) : resolve(here, '..', 'build', 'Release', 'e2v_native.node');

const COMMON_RATES = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000] as const;
const QUALITIES: readonly ResampleQuality[] = ['parity', 'vhq'];
/** Usual rates half of the time, any accepted rate otherwise. */
const anyRate = fc.oneof(fc.constantFrom(...COMMON_RATES), fc.integer({ min: 1, max: 1_000_000 }));

// ---------------------------------------------------------------- helpers

/** Seeded noise in [-0.5, 0.5) (mulberry32). */
function noise(length: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    x[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return x;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** ceil(length * to / from) with the ratio reduced, computed with BigInt (independent of lib/). */
function expectedLength(length: number, fromHz: number, toHz: number): number {
  const g = gcd(fromHz, toHz);
  const o = BigInt(fromHz / g);
  const n = BigInt(toHz / g);
  return Number((BigInt(length) * n + o - 1n) / o);
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Largest |a[i] - b[i]| with its index (lengths must match). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; index: number } {
  expect(a.length).toBe(b.length);
  let value = 0;
  let index = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= value)) [value, index] = [d, i];
  }
  return { value, index };
}

/** Feeds `x` to `resampler` in chunks of the given sizes (cycled), then flushes. */
function streamed(resampler: Resampler, x: Float32Array, sizes: readonly number[]): Float32Array {
  const parts: Float32Array[] = [];
  for (let start = 0, i = 0; start < x.length; i++) {
    const size = sizes[i % sizes.length]!;
    parts.push(resampler.process(x.subarray(start, start + size)));
    start += size;
  }
  parts.push(resampler.flush());
  return concat(parts);
}

/**
 * torchaudio.functional.resample's formula (GOLDEN-README.md) in float64, written
 * directly from the definition: y[j] = sum_i x[i] k((i/o - j/n) base); equal rates copy.
 */
function referenceParity(x: Float32Array, fromHz: number, toHz: number): Float64Array {
  if (fromHz === toHz) return Float64Array.from(x);
  const g = gcd(fromHz, toHz);
  const o = fromHz / g;
  const n = toHz / g;
  const base = Math.min(o, n) * 0.99;
  const reach = (6 * o) / base;
  const y = new Float64Array(expectedLength(x.length, fromHz, toHz));
  for (let j = 0; j < y.length; j++) {
    const centre = (j * o) / n;
    let sum = 0;
    for (let i = Math.max(0, Math.ceil(centre - reach)); i <= Math.min(x.length - 1, Math.floor(centre + reach)); i++) {
      const t = (i / o - j / n) * base;
      if (Math.abs(t) > 6) continue;
      const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      const w = Math.cos((Math.PI * t) / 12) ** 2;
      sum += x[i]! * sinc * w * (base / o);
    }
    y[j] = sum;
  }
  return y;
}

async function expectRejection(promise: Promise<unknown>, name: 'TypeError' | 'RangeError', message: RegExp): Promise<void> {
  const error = await promise.then(
    () => {
      throw new Error('expected the promise to reject');
    },
    (e: unknown) => e as Error,
  );
  expect(error.name).toBe(name);
  expect(error.message).toMatch(message);
}

/** A job for a worker thread: one-shot resampling through the raw binding. */
interface Job {
  samples: Float32Array;
  fromHz: number;
  toHz: number;
  quality: ResampleQuality;
}

/** Worker source (CommonJS, eval): loads the addon, reports its SIMD path, then runs jobs. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.addonPath);
parentPort.postMessage({ ready: true, simd: addon.simd() });
parentPort.on('message', (jobs) => {
  const outputs = jobs.map((j) => addon.resample(j.samples, j.fromHz, j.toHz, j.quality));
  const r = addon.resamplerCreate(48000, 16000, 'parity');
  const streamed = [addon.resamplerProcess(r, jobs[0].samples.subarray(0, 1234)), addon.resamplerProcess(r, jobs[0].samples.subarray(1234)), addon.resamplerFlush(r)];
  const mono = addon.downmix([jobs[0].samples, jobs[0].samples]);
  parentPort.postMessage({ outputs, streamed, mono });
});
`;

interface WorkerReply {
  outputs: Float32Array[];
  streamed: Float32Array[];
  mono: Float32Array;
}

/**
 * Starts a worker thread with E2V_SIMD set to `level` (or unchanged when
 * undefined) while its addon instance initializes, restores the variable, and
 * runs `jobs` there.
 */
async function runInWorker(jobs: Job[], level?: string): Promise<{ simd: string; reply: WorkerReply }> {
  const previous = process.env.E2V_SIMD;
  if (level !== undefined) process.env.E2V_SIMD = level;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { addonPath: ADDON_PATH } });
  try {
    const messages: unknown[] = [];
    let wake: () => void = () => undefined;
    worker.on('message', (m: unknown) => {
      messages.push(m);
      wake();
    });
    const failed = new Promise<never>((_, reject) => worker.once('error', reject));
    const next = async (): Promise<unknown> => {
      while (messages.length === 0) await Promise.race([new Promise<void>((r) => (wake = r)), failed]);
      return messages.shift();
    };
    const ready = (await next()) as { simd: string };
    // The addon read E2V_SIMD when it loaded in the worker: restore it now.
    if (previous === undefined) delete process.env.E2V_SIMD;
    else process.env.E2V_SIMD = previous;
    worker.postMessage(jobs);
    const reply = (await next()) as WorkerReply;
    return { simd: ready.simd, reply };
  } finally {
    if (previous === undefined) delete process.env.E2V_SIMD;
    else process.env.E2V_SIMD = previous;
    await worker.terminate();
  }
}

const JOBS: Job[] = [
  [44100, 16000],
  [48000, 16000],
  [8000, 16000],
  [22050, 16000],
  [16000, 44100],
  [96000, 16000],
].flatMap(([fromHz, toHz], i) => QUALITIES.map((quality) => ({ samples: noise(fromHz! / 5, 100 + i), fromHz: fromHz!, toHz: toHz!, quality })));

// ---------------------------------------------------------------- behaviour

describe('resample', () => {
  it.each(
    QUALITIES.flatMap((quality) =>
      [
        [44100, 16000],
        [48000, 16000],
        [8000, 16000],
        [22050, 16000],
        [16000, 8000],
        [11025, 16000],
        [16000, 48000],
        [96000, 16000],
      ].map(([from, to]) => [quality, from!, to!] as const),
    ),
  )('%s %i -> %i gives ceil(N * to / from) samples', (quality, fromHz, toHz) => {
    for (const length of [0, 1, 2, 5, 7, 1000, 4801]) {
      const y = resample(noise(length, length), fromHz, toHz, { quality });
      expect(y.length, `N = ${length}`).toBe(expectedLength(length, fromHz, toHz));
      expect(y.every(Number.isFinite)).toBe(true);
    }
  });

  it.each(QUALITIES)('from === to returns a bit-exact copy (%s)', (quality) => {
    const x = noise(12345, 1);
    x[7] = -0; // even the sign of zero survives
    x[8] = 3.4e38;
    for (const rate of [1, 16000, 1_000_000]) {
      const y = resample(x, rate, rate, { quality });
      expect(y).not.toBe(x);
      expect(Buffer.from(y.buffer).equals(Buffer.from(x.buffer))).toBe(true);
    }
  });

  it('defaults to parity quality', () => {
    const x = noise(5000, 2);
    const byDefault = resample(x, 44100, 16000);
    expect(resample(x, 44100, 16000, {})).toEqual(byDefault);
    expect(resample(x, 44100, 16000, { quality: 'parity' })).toEqual(byDefault);
    const vhq = resample(x, 44100, 16000, { quality: 'vhq' });
    expect(vhq.length).toBe(byDefault.length);
    expect(maxDiff(vhq, byDefault).value).toBeGreaterThan(1e-4);
  });

  it('reads a subarray view without touching its neighbours', () => {
    const whole = noise(3000, 3);
    const view = whole.subarray(1000, 2000);
    expect(resample(view, 48000, 16000)).toEqual(resample(whole.slice(1000, 2000), 48000, 16000));
  });

  it('does not clip: a full-scale square wave overshoots', () => {
    const square = new Float32Array(4410).map((_, i) => (Math.floor(i / 50) % 2 === 0 ? 1 : -1));
    const y = resample(square, 44100, 16000);
    expect(Math.max(...y)).toBeGreaterThan(1);
  });

  it('matches a float64 evaluation of the torchaudio formula where the golden data does not reach', () => {
    // Ratios with many phases (table path) and with too many phases for a table (direct path).
    for (const [fromHz, toHz] of [
      [44100, 16001],
      [999_983, 1_000_000],
      [1_000_000, 7],
      [7, 1_000],
      [12_345, 16_000],
    ] as const) {
      const x = noise(400, fromHz);
      const { value, index } = maxDiff(resample(x, fromHz, toHz), referenceParity(x, fromHz, toHz));
      expect(value, `${fromHz} -> ${toHz}: largest difference at ${index}`).toBeLessThanOrEqual(2e-6);
    }
  });
});

describe('resampleAsync', () => {
  it.each(QUALITIES)('equals resample (%s)', async (quality) => {
    for (const job of JOBS.filter((j) => j.quality === quality)) {
      const expected = resample(job.samples, job.fromHz, job.toHz, { quality });
      const actual = await resampleAsync(job.samples, job.fromHz, job.toHz, { quality });
      expect(actual).toEqual(expected);
    }
  });

  it('runs several calls at once and keeps each input alive', async () => {
    const inputs = Array.from({ length: 8 }, (_, i) => noise(48000, 200 + i));
    const outputs = await Promise.all(inputs.map((x) => resampleAsync(x, 48000, 16000, { quality: 'vhq' })));
    outputs.forEach((y, i) => expect(y).toEqual(resample(inputs[i]!, 48000, 16000, { quality: 'vhq' })));
  });

  it('returns a copy for from === to', async () => {
    const x = noise(100, 4);
    const y = await resampleAsync(x, 16000, 16000);
    expect(y).not.toBe(x);
    expect(y).toEqual(x);
  });
});

describe('Resampler (streaming)', () => {
  it.each(QUALITIES)('process() + flush() equals the one-shot result for random chunkings (%s)', (quality) => {
    fc.assert(
      fc.property(
        anyRate,
        fc.oneof(fc.constantFrom(8000, 16000, 22050, 44100), anyRate),
        fc.integer({ min: 0, max: 6000 }),
        fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 8 }),
        fc.integer(),
        (fromHz, toHz, n, sizes, seed) => {
          const length = Math.min(n, Math.floor((20_000 * fromHz) / toHz));
          const x = noise(length, seed);
          const expected = resample(x, fromHz, toHz, { quality });
          const chunking = sizes.some((s) => s > 0) ? sizes : [1];
          const actual = streamed(new Resampler(fromHz, toHz, { quality }), x, chunking);
          expect(actual.length).toBe(expected.length);
          const { value, index } = maxDiff(actual, expected);
          expect(value, `largest difference at ${index}`).toBeLessThanOrEqual(1e-6);
          // The implementation adds in the same order whatever the chunking: exactly equal.
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('flush() resets, so one instance resamples several signals', () => {
    const r = new Resampler(44100, 16000);
    const a = noise(10000, 5);
    const b = noise(7000, 6);
    expect(streamed(r, a, [1000])).toEqual(resample(a, 44100, 16000));
    expect(streamed(r, b, [333])).toEqual(resample(b, 44100, 16000));
  });

  it('reset() drops buffered input', () => {
    const r = new Resampler(48000, 16000, { quality: 'vhq' });
    r.process(noise(5000, 7));
    r.reset();
    const x = noise(9000, 8);
    expect(streamed(r, x, [4000])).toEqual(resample(x, 48000, 16000, { quality: 'vhq' }));
  });

  it('holds back outputs until their input has arrived, and an empty chunk gives nothing', () => {
    const r = new Resampler(8000, 16000);
    expect(r.process(new Float32Array(0)).length).toBe(0);
    expect(r.process(noise(3, 9)).length).toBe(0); // output 0 reads inputs up to 9
    expect(r.flush().length).toBe(6);
    expect(r.flush().length).toBe(0);
  });

  it('passes samples straight through when from === to', () => {
    const r = new Resampler(16000, 16000);
    const x = noise(100, 10);
    expect(r.process(x)).toEqual(x);
    expect(r.flush().length).toBe(0);
  });

  it('exposes its rates and quality', () => {
    const r = new Resampler(22050, 16000, { quality: 'vhq' });
    expect([r.fromHz, r.toHz, r.quality]).toEqual([22050, 16000, 'vhq']);
    expect(new Resampler(22050, 16000).quality).toBe('parity');
  });
});

// ---------------------------------------------------------------- properties

describe('properties', () => {
  it.each([
    ['parity', 100_000, 120],
    ['vhq', 20_000, 40],
  ] as const)('%s: random lengths (0..5000) and random rate pairs never crash and give ceil(N * to / from) samples', (quality, budget, numRuns) => {
    fc.assert(
      fc.property(anyRate, anyRate, fc.integer({ min: 0, max: 5000 }), fc.integer(), (fromHz, toHz, n, seed) => {
        // Keep the output (and the test's run time) bounded for extreme upsampling.
        const length = Math.min(n, Math.floor((budget * fromHz) / toHz));
        const y = resample(noise(length, seed), fromHz, toHz, { quality });
        expect(y.length).toBe(expectedLength(length, fromHz, toHz));
        expect(y.every(Number.isFinite)).toBe(true);
      }),
      { numRuns },
    );
  });

  it('parity matches the float64 formula for random rate pairs and short inputs', () => {
    fc.assert(
      fc.property(anyRate, anyRate, fc.integer({ min: 0, max: 300 }), fc.integer(), (fromHz, toHz, n, seed) => {
        const length = Math.min(n, Math.floor((3000 * fromHz) / toHz));
        const x = noise(length, seed);
        const { value, index } = maxDiff(resample(x, fromHz, toHz), referenceParity(x, fromHz, toHz));
        expect(value, `${fromHz} -> ${toHz}, N ${length}: largest difference at ${index}`).toBeLessThanOrEqual(2e-6);
      }),
      { numRuns: 150 },
    );
  });

  it.each(QUALITIES)('resampling is linear (%s)', (quality) => {
    fc.assert(
      fc.property(
        fc.constantFrom(...COMMON_RATES),
        fc.constantFrom(8000, 16000, 44100),
        fc.integer({ min: 0, max: 3000 }),
        fc.double({ min: -4, max: 4, noNaN: true }),
        fc.double({ min: -4, max: 4, noNaN: true }),
        fc.integer(),
        (fromHz, toHz, length, a, b, seed) => {
          const x = noise(length, seed);
          const y = noise(length, seed + 1);
          const mix = x.map((v, i) => a * v + b * y[i]!);
          const lhs = resample(mix, fromHz, toHz, { quality });
          const rx = resample(x, fromHz, toHz, { quality });
          const ry = resample(y, fromHz, toHz, { quality });
          const rhs = rx.map((v, i) => a * v + b * ry[i]!);
          // float32 inputs, taps and sums: a few float32 epsilons of the signal scale.
          const tolerance = 2e-6 * (Math.abs(a) + Math.abs(b) + 1e-3);
          const { value, index } = maxDiff(lhs, rhs);
          expect(value, `a = ${a}, b = ${b}: largest difference at ${index}`).toBeLessThanOrEqual(tolerance);
        },
      ),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------- SIMD and threads

describe.skipIf(simd() === 'scalar')('SIMD paths', () => {
  it.each(['scalar', 'sse2'])('the %s path (worker thread with E2V_SIMD) agrees with the SIMD path within 1e-6', async (level) => {
    const { simd: workerSimd, reply } = await runInWorker(JOBS, level);
    expect(workerSimd).toBe(level);
    JOBS.forEach((job, i) => {
      const expected = resample(job.samples, job.fromHz, job.toHz, { quality: job.quality });
      const { value, index } = maxDiff(reply.outputs[i]!, expected);
      const what = `${job.quality} ${job.fromHz} -> ${job.toHz}`;
      expect(value, `${what}: largest difference ${value} at ${index}`).toBeLessThanOrEqual(1e-6);
    });
  });
});

describe('worker_threads', () => {
  it('loads the addon in a worker thread and gives the same results there', async () => {
    const { simd: workerSimd, reply } = await runInWorker(JOBS);
    expect(workerSimd).toBe(simd());
    JOBS.forEach((job, i) => {
      expect(reply.outputs[i]).toEqual(resample(job.samples, job.fromHz, job.toHz, { quality: job.quality }));
    });
    const first = JOBS[0]!.samples;
    expect(concat(reply.streamed)).toEqual(resample(first, 48000, 16000));
    expect(reply.mono).toEqual(first);
  });
});

// ---------------------------------------------------------------- errors

describe('BAD CALL - resample and resampleAsync arguments', () => {
  const x = noise(100, 11);
  const cases: Array<[string, unknown[], 'TypeError' | 'RangeError', RegExp]> = [
    ['samples is a number array', [[1, 2, 3], 44100, 16000], 'TypeError', /Float32Array for samples/],
    ['samples is a Float64Array', [new Float64Array(3), 44100, 16000], 'TypeError', /samples.*Float64Array/],
    ['samples is missing', [undefined, 44100, 16000], 'TypeError', /samples/],
    ['fromHz is a string', [x, '44100', 16000], 'TypeError', /fromHz/],
    ['fromHz is 0', [x, 0, 16000], 'RangeError', /fromHz/],
    ['fromHz is negative', [x, -8000, 16000], 'RangeError', /fromHz/],
    ['fromHz is not an integer', [x, 44100.5, 16000], 'RangeError', /fromHz/],
    ['fromHz is NaN', [x, Number.NaN, 16000], 'RangeError', /fromHz/],
    ['fromHz is Infinity', [x, Number.POSITIVE_INFINITY, 16000], 'RangeError', /fromHz/],
    ['fromHz is above 1e6', [x, 1_000_001, 16000], 'RangeError', /fromHz/],
    ['toHz is missing', [x, 44100], 'TypeError', /toHz/],
    ['toHz is 0', [x, 44100, 0], 'RangeError', /toHz/],
    ['toHz is not an integer', [x, 44100, 15999.9], 'RangeError', /toHz/],
    ['options is a string', [x, 44100, 16000, 'vhq'], 'TypeError', /options/],
    ['options is null', [x, 44100, 16000, null], 'TypeError', /options/],
    ['an option name is misspelt', [x, 44100, 16000, { qualty: 'vhq' }], 'TypeError', /'qualty'/],
    ['quality is unknown', [x, 44100, 16000, { quality: 'best' }], 'RangeError', /options\.quality/],
    ['quality is not a string', [x, 44100, 16000, { quality: 1 }], 'TypeError', /options\.quality/],
  ];

  it.each(cases)('resample: %s', (_what, args, name, message) => {
    expectError(() => (resample as (...a: unknown[]) => unknown)(...args), name, message);
  });

  it.each(cases)('resampleAsync: %s', async (_what, args, name, message) => {
    await expectRejection((resampleAsync as (...a: unknown[]) => Promise<unknown>)(...args), name, message);
  });

  it.each(cases.filter(([, args]) => args[0] === x))('new Resampler: %s', (_what, args, name, message) => {
    expectError(() => new (Resampler as unknown as new (...a: unknown[]) => unknown)(...args.slice(1)), name, message);
  });

  it('Resampler.process: chunk is not a Float32Array', () => {
    const r = new Resampler(44100, 16000);
    expectError(() => r.process([0.1, 0.2] as unknown as Float32Array), 'TypeError', /Float32Array for chunk/);
  });
});

describe('BAD CALL - the native functions re-check what TS checked', () => {
  const x = noise(100, 12);
  const notFloat32 = (value: unknown) => value as Float32Array;
  it.each([
    ['samples', () => binding().resample(notFloat32([1]), 44100, 16000, 'parity'), 'TypeError', /samples/],
    ['fromHz', () => binding().resample(x, 0, 16000, 'parity'), 'RangeError', /fromHz/],
    ['fromHz type', () => binding().resample(x, '1' as unknown as number, 16000, 'parity'), 'TypeError', /fromHz/],
    ['toHz', () => binding().resample(x, 44100, 2.5, 'parity'), 'RangeError', /toHz/],
    ['quality', () => binding().resample(x, 44100, 16000, 'best' as 'vhq'), 'RangeError', /quality/],
    ['async samples', () => binding().resampleAsync(notFloat32(new Int16Array(2)), 8000, 1, 'vhq'), 'TypeError', /samples/],
    ['Resampler toHz', () => binding().resamplerCreate(8000, 1e7, 'parity'), 'RangeError', /toHz/],
    ['Resampler process', () => binding().resamplerProcess(binding().resamplerCreate(8000, 1, 'parity'), notFloat32(null)), 'TypeError', /chunk/],
    ['Resampler handle', () => binding().resamplerFlush({} as Binding.ResamplerHandle), 'TypeError', /Resampler handle/],
  ] as const)('%s', (_what, call, name, message) => {
    expectError(call, name, message);
  });
});

describe('EXPECTED FAILURE - non-finite samples and huge outputs', () => {
  it.each([
    ['NaN', Number.NaN, /samples\[3\] is NaN/],
    ['Infinity', Number.POSITIVE_INFINITY, /samples\[3\] is Infinity/],
    ['-Infinity', Number.NEGATIVE_INFINITY, /samples\[3\] is -Infinity/],
  ] as const)('resample rejects %s with a RangeError naming the sample', async (_what, value, message) => {
    for (const quality of QUALITIES) {
      for (const [fromHz, toHz] of [
        [44100, 16000],
        [8000, 16000],
        [16000, 16000],
        [999_983, 1_000_000],
      ] as const) {
        const x = noise(50, 13);
        x[3] = value;
        expectError(() => resample(x, fromHz, toHz, { quality }), 'RangeError', message);
        await expectRejection(resampleAsync(x, fromHz, toHz, { quality }), 'RangeError', message);
      }
    }
  });

  it('finds the first bad sample of a long input', () => {
    const x = noise(100_000, 14);
    x[77_777] = Number.NaN;
    x[88_888] = Number.POSITIVE_INFINITY;
    expectError(() => resample(x, 48000, 16000), 'RangeError', /samples\[77777\] is NaN/);
  });

  it('accepts huge finite samples (the output may overflow, it is not an error)', () => {
    const x = new Float32Array(64).fill(3.4e38);
    expect(resample(x, 8000, 16000).length).toBe(128);
  });

  it('Resampler.process rejects a bad chunk and keeps its state', () => {
    const x = noise(6000, 15);
    const r = new Resampler(44100, 16000);
    const first = r.process(x.subarray(0, 3000));
    const bad = noise(10, 16);
    bad[4] = Number.NaN;
    expectError(() => r.process(bad), 'RangeError', /chunk\[4\] is NaN/);
    const rest = [r.process(x.subarray(3000)), r.flush()];
    expect(concat([first, ...rest])).toEqual(resample(x, 44100, 16000));
  });

  it('refuses outputs longer than 2^30 samples with a RangeError naming toHz', async () => {
    const x = new Float32Array(5000);
    expectError(() => resample(x, 1, 1_000_000), 'RangeError', /toHz/);
    await expectRejection(resampleAsync(x, 1, 1_000_000), 'RangeError', /toHz/);
    expectError(() => binding().resample(x, 1, 1_000_000, 'parity'), 'RangeError', /toHz/);
    const r = new Resampler(1, 1_000_000);
    expectError(() => r.process(x), 'RangeError', /toHz/);
  });
});
