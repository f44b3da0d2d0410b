/**
 * Runs a converted model with onnxruntime-node in tests (the engine owns
 * real inference), and the input length check a caller makes before.
 * @module
 */
import type { ModelManifest } from '@e2v/core';
import * as ort from 'onnxruntime-node';

/** Outputs of one run, as flat float32 data with dims. */
export type RunOutputs = Record<string, { data: Float32Array; dims: readonly number[] }>;

/** Opens a session with fixed, test-friendly options (1 thread, full optimization). */
export function openSession(modelPath: string, threads = 1): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 4, // tests assert on errors themselves; keep ORT's own log quiet
  });
}

/**
 * Runs a batch of equally long (already normalized) waveforms.
 * @throws RangeError when the waveforms differ in length
 */
export async function runBatch(session: ort.InferenceSession, waveforms: readonly Float32Array[]): Promise<RunOutputs> {
  const n = waveforms[0]?.length ?? 0;
  if (waveforms.some((w) => w.length !== n)) throw new RangeError('waveforms of one batch must have the same length');
  const input = new Float32Array(n * waveforms.length);
  waveforms.forEach((w, i) => input.set(w, i * n));
  const out = await session.run({ waveform: new ort.Tensor('float32', input, [waveforms.length, n]) });
  const result: RunOutputs = {};
  for (const [name, tensor] of Object.entries(out)) {
    result[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
  }
  return result;
}

/** Runs one waveform. */
export function runOne(session: ort.InferenceSession, waveform: Float32Array): Promise<RunOutputs> {
  return runBatch(session, [waveform]);
}

/**
 * Checks that a waveform is long enough for the model to produce a frame.
 * Call it before running the graph: with fewer samples one conv layer gets
 * an input shorter than its kernel, and ONNX Runtime fails with an opaque
 * `Conv ... Invalid input shape` (a runtime that allowed empty tensors would
 * return the NaN mean of zero frames instead).
 * @param manifest the model's manifest (only `minInputSamples` and `sampleRate` are used)
 * @param samples number of 16 kHz samples of one utterance
 * @throws RangeError naming the minimum when `samples` is too small
 */
export function checkInputSamples(manifest: Pick<ModelManifest, 'minInputSamples' | 'sampleRate'>, samples: number): void {
  if (!Number.isInteger(samples) || samples < manifest.minInputSamples) {
    const ms = (manifest.minInputSamples / manifest.sampleRate) * 1000;
    throw new RangeError(`Expected at least ${manifest.minInputSamples} samples (${ms} ms at ${manifest.sampleRate} Hz) for waveform but received ${samples}`);
  }
}
