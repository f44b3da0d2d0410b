/**
 * SIMD paths against the scalar path, and the addon in worker threads. The SIMD
 * level is read from E2V_SIMD when an addon instance starts, so the lower paths
 * run in child processes (and in a worker started while E2V_SIMD is set).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { fbank, simd, type FbankOptions } from '../lib/index.js';
import { FBANK_DEFAULTS, fbankManifest, firstDifference, loadFixture, nativeAddonPath, noise, toAddonOptions } from './fbank.helpers.js';

/** Largest |a - b| (Infinity when the lengths differ). */
function maxDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

interface SimdCase {
  name: string;
  samples: Float32Array;
  options: FbankOptions;
}

const speech = loadFixture('inputs/speech16k.int16_range.f32.npy').data;
const cases: SimdCase[] = [
  ...fbankManifest.cases.map((c) => ({ name: c.name, samples: loadFixture(c.input_npy).data, options: toAddonOptions(c.options) })),
  { name: 'dither', samples: speech, options: { dither: 1, ditherSeed: 99, useEnergy: true } },
  { name: 'blackman, 23 bins, 8 kHz', samples: noise(9000, 1), options: { sampleFrequency: 8000, windowType: 'blackman', numMelBins: 23 } },
  { name: 'rectangular, magnitude, linear', samples: noise(7000, 2), options: { windowType: 'rectangular', usePower: false, useLogFbank: false } },
  { name: 'odd FFT sizes (radix 3, 5, 7)', samples: noise(5000, 3), options: { frameLengthMs: 13.125, roundToPowerOfTwo: false } },
  // 50.125 ms at 16 kHz: 802 samples, a complex FFT of the prime size 401.
  { name: 'prime FFT size (Bluestein)', samples: noise(5000, 4), options: { frameLengthMs: 50.125, roundToPowerOfTwo: false, numMelBins: 40 } },
  { name: 'short input, reflected', samples: noise(150, 5), options: { snipEdges: false, useEnergy: true, rawEnergy: false } },
  { name: 'unit scale, 1 frame short of a batch', samples: speech.subarray(0, 400 + 160 * 6).map((v) => v / 32768), options: {} },
];

const workDir = mkdtempSync(join(tmpdir(), 'e2v-fbank-simd-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Runs every case in a child process with E2V_SIMD=`level`; returns its simd() and outputs. */
function runInChild(level: string): { simd: string; outputs: Float32Array[] } {
  cases.forEach((c, i) => writeFileSync(join(workDir, `in-${i}.f32`), c.samples));
  const options = cases.map((c) => ({ ...FBANK_DEFAULTS, ditherSeed: 0, ...c.options }));
  writeFileSync(join(workDir, 'options.json'), JSON.stringify(options));
  const script = `
    const { readFileSync, writeFileSync } = require('node:fs');
    const { join } = require('node:path');
    const [addonPath, dir, level] = process.argv.slice(1);
    const addon = require(addonPath);
    const options = JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8'));
    options.forEach((o, i) => {
      const bytes = readFileSync(join(dir, 'in-' + i + '.f32'));
      const samples = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      writeFileSync(join(dir, level + '-out-' + i + '.f32'), addon.fbank(samples, o).data);
    });
    process.stdout.write(addon.simd());`;
  const child = spawnSync(process.execPath, ['-e', script, nativeAddonPath(), workDir, level], {
    env: { ...process.env, E2V_SIMD: level },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(child.status, child.stderr).toBe(0);
  const outputs = cases.map((_, i) => {
    const bytes = readFileSync(join(workDir, `${level}-out-${i}.f32`));
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  });
  return { simd: child.stdout, outputs };
}

describe('SIMD paths equal the scalar path', () => {
  const mainPath = simd();

  it.skipIf(mainPath === 'scalar')(`this process runs a SIMD path (${mainPath}) and the child the scalar one`, () => {
    const scalar = runInChild('scalar');
    expect(scalar.simd).toBe('scalar');
    cases.forEach((c, i) => {
      const fast = fbank(c.samples, c.options).data;
      const d = maxDifference(fast, scalar.outputs[i]!);
      expect(d, `case ${c.name}: ${mainPath} vs scalar, first difference at ${firstDifference(fast, scalar.outputs[i]!)}`).toBeLessThanOrEqual(1e-6);
    });
  });

  it.skipIf(mainPath !== 'avx2')('the SSE2 path equals the scalar path too', () => {
    const sse2 = runInChild('sse2');
    expect(sse2.simd).toBe('sse2');
    cases.forEach((c, i) => {
      const fast = fbank(c.samples, c.options).data;
      expect(maxDifference(fast, sse2.outputs[i]!), `case ${c.name}: avx2 vs sse2`).toBeLessThanOrEqual(1e-6);
    });
  });
});

/** Starts a worker that loads the addon and answers { simd, data } for fbank(samples, options). */
function fbankInWorker(samples: Float32Array, options: object, useAsync = false): Promise<{ simd: string; data: Float32Array }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const addon = require(workerData.path);
    const run = workerData.useAsync ? addon.fbankAsync : addon.fbank;
    Promise.resolve(run(workerData.samples, workerData.options)).then((r) =>
      parentPort.postMessage({ simd: addon.simd(), data: r.data }));`;
  const worker = new Worker(code, {
    eval: true,
    workerData: { path: nativeAddonPath(), samples, options: { ...FBANK_DEFAULTS, ditherSeed: 0, ...options }, useAsync },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { simd: string; data: Float32Array }) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('worker threads', () => {
  it('loads the addon in a worker and gives the same features', async () => {
    const here = fbank(speech, { useEnergy: true });
    const [sync, async] = await Promise.all([fbankInWorker(speech, { useEnergy: true }), fbankInWorker(speech, { useEnergy: true }, true)]);
    expect(sync.simd).toBe(simd());
    expect(firstDifference(sync.data, here.data)).toBe(-1);
    expect(firstDifference(async.data, here.data)).toBe(-1);
  });

  it('a worker started with E2V_SIMD=scalar runs the scalar path, within 1e-6 of this thread', async () => {
    const previous = process.env.E2V_SIMD;
    process.env.E2V_SIMD = 'scalar'; // read by the worker's addon instance when it loads
    let result: { simd: string; data: Float32Array };
    try {
      result = await fbankInWorker(speech, {});
    } finally {
      if (previous === undefined) delete process.env.E2V_SIMD;
      else process.env.E2V_SIMD = previous;
    }
    expect(result.simd).toBe('scalar');
    expect(maxDifference(result.data, fbank(speech).data)).toBeLessThanOrEqual(1e-6);
  });

  // Terminating a worker in the middle of a call used to abort the whole process
  // (node-addon-api rethrows when the dying environment cannot take a JS exception).
  it.each([
    ['fbankAsync calls are running', 'for (let i = 0; i < 4; i++) addon.fbankAsync(workerData.samples, workerData.options);'],
    ['it loops over fbank calls', 'setImmediate(() => { for (;;) addon.fbank(workerData.samples, workerData.options); });'],
  ])('survives a worker terminated while %s', async (_what, calls) => {
    const long = new Float32Array(16000 * 120);
    for (let i = 0; i < long.length; i += speech.length) long.set(speech.subarray(0, Math.min(speech.length, long.length - i)), i);
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.path);
      ${calls}
      setInterval(() => {}, 1000); // stays alive until terminated
      parentPort.postMessage('started');`;
    for (let round = 0; round < 5; round++) {
      const worker = new Worker(code, {
        eval: true,
        workerData: { path: nativeAddonPath(), samples: long, options: { ...FBANK_DEFAULTS, ditherSeed: 0 } },
      });
      await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 5 + 10 * round));
      expect(await worker.terminate()).toBe(1);
    }
    // This thread's addon instance still works.
    expect(fbank(speech).frames).toBe(362);
  });
});
