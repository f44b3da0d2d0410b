import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { downmix, resample } from '../lib/index.js';
import { nativeAddonPath } from './fbank.helpers.js';

// Terminating a worker in the middle of a native call must not abort the process
// (node-addon-api rethrows when the dying environment cannot take a JS exception;
// every wrapper goes through AtEdge / EdgeAsyncWorker to prevent that).
describe('resample and downmix in a worker that is terminated mid-call', () => {
  const long = new Float32Array(44100 * 60).map((_, i) => Math.sin(i * 0.01) * 0.5);

  it.each([
    ['resampleAsync calls are running', "for (let i = 0; i < 4; i++) addon.resampleAsync(s, 44100, 16000, 'vhq');"],
    ['it loops over resample calls', "setImmediate(() => { for (;;) addon.resample(s, 44100, 16000, 'parity'); });"],
    [
      'it loops over Resampler.process',
      "setImmediate(() => { const r = addon.resamplerCreate(44100, 16000, 'vhq'); for (;;) addon.resamplerProcess(r, s); });",
    ],
    ['it loops over downmix calls', 'setImmediate(() => { for (;;) addon.downmix([s, s]); });'],
  ])('should survive a worker terminated while %s', async (_what, calls) => {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.path);
      const s = workerData.samples;
      ${calls}
      setInterval(() => {}, 1000); // stays alive until terminated
      parentPort.postMessage('started');`;
    for (let round = 0; round < 4; round++) {
      const worker = new Worker(code, { eval: true, workerData: { path: nativeAddonPath(), samples: long } });
      await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 5 + 10 * round));
      expect(await worker.terminate()).toBe(1);
    }
    // This thread's addon instance still works.
    expect(resample(new Float32Array(441), 44100, 16000)).toHaveLength(160);
    expect(downmix([new Float32Array([1]), new Float32Array([3])])[0]).toBe(2);
  });
});
