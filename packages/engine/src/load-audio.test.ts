import { describe, expect, it } from 'vitest';
import { downmix, resampleAsync } from '@e2v/native';
import { decodeAudio } from './decode-audio.js';
import { loadAudio16k, MODEL_SAMPLE_RATE } from './load-audio.js';
import { audioFixture, goldenFixture, goldenWaveform, maxAbsDiff } from './test-support/fixtures.js';
import { syntheticWav } from './test-support/long-audio.js';
import { withWorstStall } from './test-support/event-loop.js';

describe('loadAudio16k: the reference pipeline on the golden inputs', () => {
  // waveforms/<name>.16k.npy is what FunASR's loader (torchaudio.load, mean over channels,
  // torchaudio Resample to 16 kHz) hands the model.
  it.each([
    ['speech_16k_mono', 16000, 1],
    ['speech_44k1_stereo', 44100, 2],
    ['speech_8k_mono', 8000, 1],
    ['long_12s_16k', 16000, 1],
    ['short_0s3_16k', 16000, 1],
    ['near_silence_16k', 16000, 1],
    ['white_noise_16k', 16000, 1],
  ])('should turn %s.wav (%i Hz, %i channel(s)) into its golden .16k.npy within 1e-4', async (name, sampleRate, channels) => {
    const loaded = await loadAudio16k(goldenFixture(`${name}.wav`));
    const expected = goldenWaveform(`${name}.16k.npy`);
    expect(loaded.sampleRate).toBe(MODEL_SAMPLE_RATE);
    expect(loaded.source).toMatchObject({ format: 'wav', sampleRate, channels });
    expect(loaded.samples).toHaveLength(expected.length);
    const { max, at } = maxAbsDiff(loaded.samples, expected);
    expect(max, `largest difference at sample ${at}`).toBeLessThanOrEqual(1e-4);
    if (sampleRate === 16000) expect(max, 'no resampling: exact').toBe(0);
  });
});

describe('loadAudio16k', () => {
  it('should report what the file was and how long each step took', async () => {
    const loaded = await loadAudio16k(audioFixture('speech-44k1-stereo.mp3'));
    expect(loaded.source).toEqual({ format: 'mp3', sampleRate: 44100, channels: 2, durationS: 1, warnings: [] });
    expect(loaded.samples).toHaveLength(16000);
    expect(loaded.timingsMs.decode).toBeGreaterThan(0);
    expect(loaded.timingsMs.resample).toBeGreaterThan(0);
  });

  it("should bring the decoder's warnings with the end of the stream", async () => {
    const mp3 = audioFixture('speech.mp3');
    const loaded = await loadAudio16k(mp3.slice(0, Math.floor(mp3.length / 2)));
    expect(loaded.source.warnings).toEqual([
      { code: 'E2V_WARN_AUDIO_TRUNCATED', message: expect.stringMatching(/^The mp3 file is truncated: frame \d+ needs/) },
    ]);
    expect(loaded.samples.length).toBeGreaterThan(4000);
    expect(loaded.samples.length).toBeLessThan(12000);
  });

  it('should average the channels (left = x, right = -x gives silence)', async () => {
    const loaded = await loadAudio16k(audioFixture('wav-s16-stereo.wav'));
    expect(loaded.samples.every((v) => v === 0)).toBe(true);
  });

  it('should pass its options to decoding', async () => {
    await expect(loadAudio16k(audioFixture('speech.mp3'), { maxDurationS: 0.25 })).rejects.toMatchObject({ code: 'E2V_ERR_AUDIO_TOO_LONG' });
    await expect(loadAudio16k(new Uint8Array(0))).rejects.toMatchObject({ code: 'E2V_ERR_AUDIO_EMPTY' });
  });

  it('should give the same samples as resampling the whole decoded signal at once', async () => {
    // 20 s of 44.1 kHz stereo: the WAV reaches the streaming resampler in several chunks
    const bytes = syntheticWav(20, 44100, 2);
    const whole = await decodeAudio(bytes.slice());
    const expected = await resampleAsync(downmix(whole.channels), 44100, MODEL_SAMPLE_RATE);
    const loaded = await loadAudio16k(bytes);
    expect(loaded.samples).toHaveLength(expected.length);
    expect(maxAbsDiff(loaded.samples, expected).max).toBe(0);
  });

  it('should keep the event loop turning through decode, downmix and resampling of a long file', async () => {
    const long = syntheticWav(180, 44100, 2); // 3 minutes of 44.1 kHz stereo (32 MB)
    const { result: loaded, worstGapMs } = await withWorstStall(() => loadAudio16k(long));
    expect(loaded.samples).toHaveLength(180 * 16000);
    // Decoding this file on the main thread would stall it for well over a second; 400 ms leaves room for a loaded CI machine.
    expect(worstGapMs).toBeLessThan(400);
  });
});
