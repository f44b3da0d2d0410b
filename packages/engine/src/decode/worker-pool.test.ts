import { afterEach, describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../errors.js';
import { audioFixture } from '../test-support/fixtures.js';
import { repeatedMp3, syntheticWav } from '../test-support/long-audio.js';
import { DecodeWorkerPool } from './worker-pool.js';
import { STREAM_WINDOW, type DecodedOutput } from './worker-protocol.js';

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
const wav = () => ({ format: 'wav' as const, bytes: audioFixture('wav-s16.wav'), maxDurationS: 60, output: 'channels' as const });
const longMp3 = (seconds: number) => ({ format: 'mp3' as const, bytes: repeatedMp3(seconds), maxDurationS: 3600, output: 'channels' as const });

function channelsOf(decoded: DecodedOutput): Float32Array[] {
  if (decoded.output !== 'channels') throw new Error(`expected channels, got ${decoded.output}`);
  return decoded.channels;
}

describe('DecodeWorkerPool', () => {
  it('should take ownership of the bytes (transferred to the worker)', async () => {
    const job = wav();
    await pool().run(job, 30_000);
    expect(job.bytes.byteLength).toBe(0);
  });

  it('should decode on a worker and reuse it for the next job', async () => {
    const p = pool();
    const first = await p.run(wav(), 30_000);
    expect(first).toMatchObject({ output: 'channels', sampleRate: 16000, channels: [expect.any(Float32Array)] });
    expect(channelsOf(first)[0]).toHaveLength(8000);
    expect(p.size).toBe(1);
    await p.run(wav(), 30_000);
    expect(p.size).toBe(1);
  });

  it('should bring typed errors back from the worker', async () => {
    const p = pool();
    const failure = p.run({ format: 'wav', bytes: audioFixture('bad-wav-ima-adpcm.wav'), maxDurationS: 60, output: 'channels' }, 30_000);
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
    expect(channelsOf(await p.run(wav(), 30_000))[0]).toHaveLength(8000);
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

describe('DecodeWorkerPool stream16k output', () => {
  const stream = (bytes: Uint8Array) => ({ format: 'wav' as const, bytes, maxDurationS: 3600, output: 'stream16k' as const });

  it('should hand over 16 kHz mono chunks in order, then say what the source was', async () => {
    const chunks: Float32Array[] = [];
    const done = await pool().run(stream(syntheticWav(30, 44100, 2)), 30_000, (chunk) => {
      chunks.push(chunk);
    });
    expect(done).toMatchObject({ output: 'stream16k', source: { sampleRate: 44100, channels: 2, frames: 30 * 44100 } });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(30 * 16000);
  });

  it('should keep the decoder at most STREAM_WINDOW chunks ahead of a slow consumer', async () => {
    let received = 0;
    let consumed = 0;
    let mostAhead = 0;
    const p = pool();
    const job = p.run(stream(syntheticWav(60, 16000, 1)), 30_000, async () => {
      received += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      consumed += 1;
    });
    const probe = setInterval(() => {
      mostAhead = Math.max(mostAhead, received - consumed);
    }, 1);
    await job;
    clearInterval(probe);
    expect(consumed).toBeGreaterThan(4);
    expect(mostAhead).toBeLessThanOrEqual(STREAM_WINDOW);
  });

  it('should not count the time a consumer holds the decoder against the deadline', async () => {
    // 8 chunks of 150 ms each: 1.2 s of consumer time, against a deadline of 0.6 s
    const started = performance.now();
    const done = await pool().run(stream(syntheticWav(64, 16000, 1)), 600, () => new Promise((resolve) => setTimeout(resolve, 150)));
    expect(done.output).toBe('stream16k');
    expect(performance.now() - started).toBeGreaterThan(1_000);
  });

  it("should stop the decode and reject with the consumer's error when it throws", async () => {
    const p = pool();
    await expect(
      p.run(stream(syntheticWav(60, 16000, 1)), 30_000, () => {
        throw new RangeError('consumer failed');
      }),
    ).rejects.toThrow('consumer failed');
    expect(p.size).toBe(0); // that worker was terminated
    expect(channelsOf(await p.run(wav(), 30_000))[0]).toHaveLength(8000);
  });
});
