import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError, InferenceError, ModelLoadError } from '../errors.js';
import { loadF32, testModelDir } from '@e2v/testkit';
import { ModelSession } from './model-session.js';
import type { OrtSessionSettings } from './ort-protocol.js';

const SETTINGS: OrtSessionSettings = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  enableMemPattern: false,
  enableCpuMemArena: true,
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
  prepackWeights: false,
};

const opened: ModelSession[] = [];

async function open(): Promise<ModelSession> {
  const session = await ModelSession.open({
    modelPath: join(testModelDir('tiny-a'), 'model.onnx'),
    modelDir: testModelDir('tiny-a'),
    inputName: 'waveform',
    settings: SETTINGS,
  });
  opened.push(session);
  return session;
}

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

/** The session's current worker thread (private; the tests below stop it to simulate a crash). */
function workerOf(session: ModelSession): Worker {
  return (session as unknown as { thread: { worker: Worker } }).thread.worker;
}

const normalized = loadF32('waveforms/speech_16k_mono.16k.normalized.npy').data;

describe('ModelSession', () => {
  it('should report the graph I/O and run jobs in order', async () => {
    const session = await open();
    expect(session.inputs).toEqual([{ name: 'waveform', type: 'float32', shape: ['batch', 'samples'] }]);
    expect(session.outputs.map((o) => o.name)).toEqual(['frames', 'embedding', 'logits', 'frame_logits']);
    const order: number[] = [];
    const lengths = [16000, 8000, 4000];
    await Promise.all(
      lengths.map((n, i) =>
        session.run(normalized.slice(0, n)).then((r) => {
          order.push(i);
          expect(r.outputs.frames!.dims[1]).toBe(Math.floor((n - 400) / 320) + 1);
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2]);
    expect(session.pending).toBe(0);
  });

  it("should not detach a caller's view of a larger buffer", async () => {
    const session = await open();
    const whole = normalized.slice();
    await session.run(whole.subarray(0, 16000));
    expect(whole.length).toBe(normalized.length);
    // an owned array is transferred (detached) instead of copied
    const owned = normalized.slice(0, 16000);
    await session.run(owned);
    expect(owned.length).toBe(0);
  });

  it('should fail the running job with E2V_ERR_INFER_CRASHED when the thread dies, then start a new one', async () => {
    const session = await open();
    await session.run(normalized.slice(0, 16000));
    // the thread is idle (stopping it inside a native ORT run would abort the whole process);
    // the job posted to the dying thread is never answered, as after a crash
    const stopping = workerOf(session).terminate();
    const running = session.run(normalized.slice());
    const queued = session.run(normalized.slice(0, 16000));
    await stopping;
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceError);
    expect((error as InferenceError).code).toBe('E2V_ERR_INFER_CRASHED');
    // the queued job runs on a fresh thread
    const result = await queued;
    expect(result.outputs.logits!.dims).toEqual([1, 9]);
  });

  it('should fail with E2V_ERR_INFER_FAILED when ORT rejects the input', async () => {
    const session = await open();
    const error = await session.run(new Float32Array(100)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceError);
    expect((error as InferenceError).code).toBe('E2V_ERR_INFER_FAILED');
    await expect(session.run(normalized.slice(0, 16000))).resolves.toBeDefined();
  });

  it('should drop a waiting job on abort', async () => {
    const session = await open();
    const first = session.run(normalized.slice());
    const controller = new AbortController();
    const second = session.run(normalized.slice(), controller.signal);
    expect(session.pending).toBe(2);
    controller.abort('stop');
    await expect(second).rejects.toBeInstanceOf(AbortedError);
    expect(session.pending).toBe(1);
    await first;
  });

  it('should refuse jobs after close, and fail the waiting ones', async () => {
    const session = await open();
    const first = session.run(normalized.slice());
    const waiting = session.run(normalized.slice()).catch((e: unknown) => e);
    await session.close();
    await expect(first).resolves.toBeDefined();
    expect(((await waiting) as InferenceError).code).toBe('E2V_ERR_ENGINE_CLOSED');
    expect(((await session.run(normalized.slice()).catch((e: unknown) => e)) as InferenceError).code).toBe('E2V_ERR_ENGINE_CLOSED');
  });

  it('should report a missing file as E2V_ERR_MODEL_SESSION', async () => {
    const error = await ModelSession.open({ modelPath: '/nonexistent.onnx', modelDir: '/', inputName: 'waveform', settings: SETTINGS }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).code).toBe('E2V_ERR_MODEL_SESSION');
  });
});
