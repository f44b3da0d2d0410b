/**
 * Engine behaviour around the model: the bounded queue, cancellation, input errors, closing, and
 * that inference never blocks the event loop.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { MAX_WINDOW_S } from './engine-options.js';
import { labelZh } from '@e2v/core';
import { AbortedError, AudioDecodeError, InferenceError, InputError, QueueFullError } from './errors.js';
import { withWorstStall } from './test-support/event-loop.js';
import { goldenFixture } from './test-support/fixtures.js';
import { loadF32, testModelDir } from '@e2v/testkit';
import { buildWav, fmtBody, int16Bytes } from './test-support/wav-builder.js';

let engine: Engine;
const speech = loadF32('waveforms/speech_16k_mono.16k.npy').data;

beforeAll(async () => {
  engine = await Engine.load(testModelDir('tiny-a'), { threads: 1, queueDepth: 3 });
});

afterAll(async () => {
  await engine.close();
});

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

/** A deterministic noise signal of `seconds` at 16 kHz. */
function noise(seconds: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * 16000));
  let seed = 99;
  for (let i = 0; i < x.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    x[i] = (seed / 2 ** 32 - 0.5) * 0.2;
  }
  return x;
}

describe('bounded queue', () => {
  it('should refuse an analysis beyond queueDepth at once with QueueFullError, and accept again later', async () => {
    const accepted = [engine.analyze(speech), engine.analyze(speech), engine.analyze(speech)];
    expect(engine.pending).toBe(3);
    const error = await failure(engine.analyze(speech));
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error.code).toBe('E2V_ERR_ENGINE_QUEUE_FULL');
    expect((error as QueueFullError).queueDepth).toBe(3);
    const results = await Promise.all(accepted);
    expect(results.map((r) => r.result.emotion)).toEqual(Array(3).fill(results[0]!.result.emotion));
    expect(engine.pending).toBe(0);
    await expect(engine.analyze(speech)).resolves.toBeDefined();
  });

  it('should count failed and aborted analyses out of the queue', async () => {
    const controller = new AbortController();
    const running = [engine.analyze(new Float32Array(10)), engine.analyze(speech, { signal: controller.signal })];
    controller.abort();
    await Promise.allSettled(running);
    expect(engine.pending).toBe(0);
  });
});

describe('cancellation', () => {
  it('should refuse an already aborted signal with AbortedError carrying the reason', async () => {
    const reason = new Error('user left');
    const error = await failure(engine.analyze(speech, { signal: AbortSignal.abort(reason) }));
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.code).toBe('E2V_ERR_ENGINE_ABORTED');
    expect(error.cause).toBe(reason);
  });

  it('should abort during decoding, write nothing, and keep the engine usable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-engine-abort-'));
    const controller = new AbortController();
    const pending = engine.analyze(goldenFixture('speech_44k1_stereo.wav'), { signal: controller.signal, outputDir: dir });
    setImmediate(() => controller.abort());
    expect(await failure(pending)).toBeInstanceOf(AbortedError);
    expect(await readdir(dir)).toEqual([]);
    await expect(engine.analyze(speech)).resolves.toBeDefined();
  });

  it('should drop an analysis waiting for the model when aborted, without disturbing the one running', async () => {
    const first = engine.analyze(noise(28));
    const controller = new AbortController();
    const second = engine.analyze(speech, { signal: controller.signal });
    const t0 = performance.now();
    setTimeout(() => controller.abort(), 5);
    expect(await failure(second)).toBeInstanceOf(AbortedError);
    const abortedAfter = performance.now() - t0;
    const { result } = await first;
    // answered while the 28 s input was still running
    expect(abortedAfter).toBeLessThan(result.timings_ms.inference);
    await expect(engine.analyze(speech)).resolves.toBeDefined();
  });

  it('should answer an abort during a model run at once; the run still holds the session until it ends', async () => {
    const controller = new AbortController();
    const running = engine.analyze(noise(29), { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    controller.abort();
    expect(await failure(running)).toBeInstanceOf(AbortedError);
    const answeredMs = performance.now() - t0;
    const { result } = await engine.analyze(speech);
    // the next analysis waited for the aborted run, longer than the abort took to be answered
    // (relative, not a fixed number of ms: the same on a busy or an emulated CPU)
    expect(result.timings_ms.total - result.timings_ms.inference).toBeGreaterThan(answeredMs);
  });
});

describe('input errors', () => {
  it('should refuse fewer than 400 samples at 16 kHz with E2V_ERR_INPUT_TOO_SHORT, and accept 400', async () => {
    const error = await failure(engine.analyze(speech.subarray(0, 399)));
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('E2V_ERR_INPUT_TOO_SHORT');
    expect(error.message).toMatch(/399 samples.*at least 400/);
    const { result } = await engine.analyze(speech.subarray(0, 400), { granularity: 'frame' });
    expect(result.frames!.scores.length).toBe(1);
  });

  it('should refuse a file that is too short once resampled to 16 kHz', async () => {
    // 199 samples at 8 kHz -> 398 at 16 kHz
    const wav = buildWav([
      { id: 'fmt ', body: fmtBody(1, 1, 8000, 16) },
      { id: 'data', body: int16Bytes(Array.from({ length: 199 }, (_, i) => (i * 37) % 200)) },
    ]);
    expect((await failure(engine.analyze(wav))).code).toBe('E2V_ERR_INPUT_TOO_SHORT');
  });

  it('should refuse audio longer than maxDurationS', async () => {
    const short = await Engine.load(testModelDir('tiny-a'), { threads: 1, maxDurationS: 2 });
    try {
      const samplesError = await failure(short.analyze(noise(2.5)));
      expect(samplesError).toBeInstanceOf(InputError);
      expect(samplesError.code).toBe('E2V_ERR_INPUT_TOO_LONG');
      const fileError = await failure(short.analyze(goldenFixture('speech_16k_mono.wav')));
      expect(fileError).toBeInstanceOf(AudioDecodeError);
      expect(fileError.code).toBe('E2V_ERR_AUDIO_TOO_LONG');
    } finally {
      await short.close();
    }
  });

  it('should refuse non-finite samples, unreadable paths and undecodable bytes with typed errors', async () => {
    const nan = speech.slice();
    nan[1234] = Number.NaN;
    expect((await failure(engine.analyze(nan))).code).toBe('E2V_ERR_INPUT_NOT_FINITE');
    const missing = await failure(engine.analyze('/nonexistent/e2v.wav'));
    expect(missing).toBeInstanceOf(InputError);
    expect(missing.code).toBe('E2V_ERR_INPUT_READ');
    expect((await failure(engine.analyze(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])))).code).toBe('E2V_ERR_AUDIO_UNSUPPORTED');
  });

  it('should reject bad arguments as TypeError / RangeError naming them', async () => {
    await expect(engine.analyze(123 as never)).rejects.toThrow(TypeError);
    await expect(engine.analyze(speech, { granularity: 'word' as never })).rejects.toThrow(/granularity/);
    await expect(engine.analyze(speech, { embeddings: true } as never)).rejects.toThrow(/Unknown option 'embeddings'/);
    await expect(engine.analyze(speech, { windowS: -1 })).rejects.toThrow(RangeError);
    await expect(engine.analyze(speech, { windowS: MAX_WINDOW_S + 1 })).rejects.toThrow(/\[0, 3600\] for windowS/);
    await expect(engine.analyze(speech, { windowS: Number.NaN })).rejects.toThrow(/windowS/);
  });
});

describe('event loop', () => {
  it('should keep the event loop turning while the model runs', async () => {
    // a fresh engine and one 150 s run: long enough that a run on the main thread would show
    const e = await Engine.load(testModelDir('tiny-a'), { threads: 1, maxSegmentS: 200 });
    try {
      const input = noise(150);
      const { result, worstGapMs } = await withWorstStall(() => e.analyze(input));
      // a run on the main thread would stall the loop for the whole inference; relative to it, so
      // the test holds on a busy or an emulated CPU too
      expect(result.result.timings_ms.inference).toBeGreaterThan(300);
      expect(worstGapMs).toBeLessThan(result.result.timings_ms.inference / 3);
    } finally {
      await e.close();
    }
  });
});

describe('process exit', () => {
  it('should let process.exit() during a model run exit with its code, not abort', () => {
    const script = fileURLToPath(new URL('./test-support/exit-during-run.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, testModelDir('tiny-a')], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.stdout).toBe('exiting\n');
    expect(child.stderr).not.toMatch(/terminate called/);
    expect(child.status).toBe(3);
  });
});

describe('close', () => {
  it('should let the running analysis finish, fail the waiting ones and refuse new ones', async () => {
    const e = await Engine.load(testModelDir('tiny-a'), { threads: 1 });
    const running = e.analyze(noise(25));
    const waiting = failure(e.analyze(speech));
    await new Promise((r) => setTimeout(r, 30));
    await e.close();
    await expect(running).resolves.toBeDefined();
    const error = await waiting;
    expect(error).toBeInstanceOf(InferenceError);
    expect(error.code).toBe('E2V_ERR_ENGINE_CLOSED');
    expect((await failure(e.analyze(speech))).code).toBe('E2V_ERR_ENGINE_CLOSED');
    await e.close(); // twice is fine
  });
});

describe('label names', () => {
  it("should show the guide's names and the tokens of a model, and the guide's names for an older model.json", async () => {
    const current = engine.info.labels[0]!;
    expect(current).toEqual({ key: 'angry', zh: '愤怒', token: '生气/angry' });
    const { result } = await engine.analyze(speech);
    expect(result.emotion_zh).toBe(labelZh(result.emotion, ''));

    // a model.json of an earlier converter: the token's word as zh, no token
    const dir = await mkdtemp(join(tmpdir(), 'e2v-older-model-'));
    try {
      await cp(testModelDir('tiny-a'), dir, { recursive: true });
      const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { labels: { key: string; zh: string; token?: string }[] };
      manifest.labels = manifest.labels.map(({ key, token }) => ({ key, zh: token!.includes('/') ? token!.split('/')[0]! : '' }));
      await writeFile(join(dir, 'model.json'), JSON.stringify(manifest));
      const older = await Engine.load(dir, { threads: 1 });
      try {
        expect(older.info.labels[0]).toEqual({ key: 'angry', zh: '生气', token: null });
        const again = (await older.analyze(speech)).result;
        expect(again.emotion).toBe(result.emotion);
        expect(again.emotion_zh).toBe(result.emotion_zh);
      } finally {
        await older.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
