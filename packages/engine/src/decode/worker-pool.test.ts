import { afterEach, describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../errors.js';
import { audioFixture } from '../test-support/fixtures.js';
import { repeatedMp3 } from '../test-support/long-audio.js';
import { DecodeWorkerPool } from './worker-pool.js';

const pools: DecodeWorkerPool[] = [];
function pool(maxWorkers = 1, idleTimeoutMs = 60_000): DecodeWorkerPool {
  const p = new DecodeWorkerPool({ maxWorkers, idleTimeoutMs });
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

// run() takes ownership of (detaches) the bytes: every job gets a fresh copy
const wav = () => ({ format: 'wav' as const, bytes: audioFixture('wav-s16.wav'), maxDurationS: 60 });
const longMp3 = (seconds: number) => ({ format: 'mp3' as const, bytes: repeatedMp3(seconds), maxDurationS: 3600 });

describe('DecodeWorkerPool', () => {
  it('should take ownership of the bytes (transferred to the worker)', async () => {
    const job = wav();
    await pool().run(job, 30_000);
    expect(job.bytes.byteLength).toBe(0);
  });

  it('should decode on a worker and reuse it for the next job', async () => {
    const p = pool();
    const first = await p.run(wav(), 30_000);
    expect(first.sampleRate).toBe(16000);
    expect(first.channels[0]).toHaveLength(8000);
    expect(p.size).toBe(1);
    await p.run(wav(), 30_000);
    expect(p.size).toBe(1);
  });

  it('should bring typed errors back from the worker', async () => {
    const p = pool();
    const failure = p.run({ format: 'wav', bytes: audioFixture('bad-wav-ima-adpcm.wav'), maxDurationS: 60 }, 30_000);
    await expect(failure).rejects.toBeInstanceOf(AudioDecodeError);
    await expect(failure).rejects.toMatchObject({ code: 'E2V_ERR_AUDIO_UNSUPPORTED', format: 'wav', message: expect.stringMatching(/0x0011 \(IMA ADPCM\)/) });
    // a WAV error does not touch WASM: the worker is kept
    expect(p.size).toBe(1);
  });

  it('should stop a decode that passes its deadline, then keep working', async () => {
    const p = pool();
    await p.run(wav(), 30_000); // start the worker first, so the deadline falls inside the decode
    const started = performance.now();
    await expect(p.run(longMp3(120), 50)).rejects.toMatchObject({ code: 'E2V_ERR_AUDIO_TIMEOUT', format: 'mp3' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(p.size).toBe(0); // the worker was terminated
    expect((await p.run(wav(), 30_000)).channels[0]).toHaveLength(8000);
  });

  it('should run at most maxWorkers at once and queue the rest', async () => {
    const p = pool(2);
    const results = await Promise.all(Array.from({ length: 5 }, () => p.run(wav(), 30_000)));
    expect(results).toHaveLength(5);
    expect(p.size).toBeLessThanOrEqual(2);
  });

  it('should stop idle workers after idleTimeoutMs', async () => {
    const p = pool(1, 50);
    await p.run(wav(), 30_000);
    expect(p.size).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(p.size).toBe(0);
  });

  it('should fail running and queued jobs when closed', async () => {
    const p = pool(1);
    const settled = Promise.allSettled([p.run(longMp3(60), 30_000), p.run(wav(), 30_000)]);
    await p.close();
    for (const outcome of await settled) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'E2V_ERR_AUDIO_DECODER_CRASHED' } });
    }
  });
});
